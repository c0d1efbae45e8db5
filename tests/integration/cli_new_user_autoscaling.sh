#!/bin/sh
# A new user with a service principal and an Autoscaling endpoint: token,
# psql with the token, lakebase psql, eval "$(lakebase env)".
. "$(dirname "$0")/lib.sh"
MODE_VAR=LAKEBASE_ENDPOINT
MODE_VALUE=$LAKEBASE_ENDPOINT
MINTS_STAT=mints.autoscaling
OTHER_MINTS_STAT=mints.provisioned
. "$(dirname "$0")/new_user_flow.sh"
