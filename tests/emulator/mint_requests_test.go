package main

import (
	"encoding/json"
	"testing"
)

func TestMintRequestsAreRecordedAndCheckedAgainstTheExpectation(t *testing.T) {
	in := fresh(t)
	claims := `[{"permission_set": "READ_ONLY", "resources": [{"table_name": "main.sales.orders"}]}]`
	body := map[string]any{"endpoint": in.env["LAKEBASE_ENDPOINT"], "ttl": "900s",
		"group_name": "analysts", "claims": json.RawMessage(claims)}
	if r := in.call(t, "POST", "/api/2.0/postgres/credentials", in.sp1Token(t), body); r.status != 200 {
		t.Fatalf("mint: %d %s", r.status, r.body)
	}
	if r := in.call(t, "POST", "/api/2.0/postgres/credentials", in.env["EMULATOR_USER_TOKEN"],
		map[string]any{"endpoint": in.env["LAKEBASE_ENDPOINT"]}); r.status != 200 {
		t.Fatalf("mint: %d %s", r.status, r.body)
	}
	var got struct{ Requests []mintRequest }
	if err := json.Unmarshal(in.call(t, "GET", "/emulator/mint-requests", "", nil).body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Requests) != 2 {
		t.Fatalf("requests = %+v", got.Requests)
	}
	first, second := got.Requests[0], got.Requests[1]
	if first.Role != in.env["DATABRICKS_CLIENT_ID"] || first.API != "autoscaling" || first.TTL != "900s" ||
		first.GroupName != "analysts" || !sameJSON(first.Claims, json.RawMessage(claims)) {
		t.Errorf("first = %+v", first)
	}
	if second.Role != in.env["EMULATOR_USER_EMAIL"] || second.TTL != "" || second.GroupName != "" || len(second.Claims) != 0 {
		t.Errorf("second = %+v", second)
	}

	in.setKnobs(t, `{"expect_mint_request": {"ttl": "900s", "group_name": "analysts", "claims": `+claims+`}}`)
	if r := in.call(t, "POST", "/api/2.0/postgres/credentials", in.sp1Token(t), body); r.status != 200 {
		t.Fatalf("an expected mint was refused: %d %s", r.status, r.body)
	}
	plain := map[string]any{"endpoint": in.env["LAKEBASE_ENDPOINT"], "ttl": "900s", "claims": json.RawMessage(claims)}
	r := in.call(t, "POST", "/api/2.0/postgres/credentials", in.sp1Token(t), plain)
	if r.status != 400 || !json.Valid(r.body) || r.json(t)["error_code"] != "INVALID_PARAMETER_VALUE" {
		t.Fatalf("a mint without the expected group_name: %d %s", r.status, r.body)
	}
	if r := in.call(t, "POST", "/emulator/knobs", "", `{"expect_mint_request": {"claims": [1]}}`); r.status != 400 {
		t.Fatalf("invalid expected claims accepted: %d", r.status)
	}
	in.call(t, "POST", "/emulator/reset", "", nil)
	if err := json.Unmarshal(in.call(t, "GET", "/emulator/mint-requests", "", nil).body, &got); err != nil || len(got.Requests) != 0 {
		t.Fatalf("after reset: %v %+v", err, got.Requests)
	}
	if r := in.call(t, "POST", "/api/2.0/postgres/credentials", in.sp1Token(t), plain); r.status != 200 {
		t.Fatalf("the expectation outlived reset: %d %s", r.status, r.body)
	}
}
