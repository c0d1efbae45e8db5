#!/bin/sh
# The same first session with a Provisioned instance instead of an endpoint.
. "$(dirname "$0")/lib.sh"
MODE_VAR=LAKEBASE_INSTANCE
MODE_VALUE=$EMULATOR_INSTANCE
MINTS_STAT=mints.provisioned
OTHER_MINTS_STAT=mints.autoscaling
. "$(dirname "$0")/new_user_flow.sh"
