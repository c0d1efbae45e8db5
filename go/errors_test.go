package lakebase

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestEveryCErrorCodeHasANameAndASentinel(t *testing.T) {
	sentinels := []*Error{ErrInvalid, ErrNoMemory, ErrConfig, ErrAuth, ErrPermission,
		ErrNotFound, ErrAPI, ErrNetwork, ErrServer, ErrTimeout, ErrProtocol, ErrClosed,
		ErrHandle, ErrCallback, ErrRange, ErrInternal, ErrLogin, ErrSQL, ErrConnection,
		ErrCanceled}
	seen := map[string]bool{}
	for c := Code(-1); c >= CodeCanceled; c-- {
		name := c.String()
		if !strings.HasPrefix(name, "E") || name == fmt.Sprintf("E%d", int(c)) || seen[name] {
			t.Errorf("code %d has name %q", int(c), name)
		}
		seen[name] = true
		back, ok := CodeNamed(name)
		if !ok || back != c {
			t.Errorf("CodeNamed(%q) = %d, %v", name, back, ok)
		}
		err := error(&Error{Code: c, Message: "m"})
		matched := 0
		for _, sentinel := range sentinels {
			if errors.Is(err, sentinel) {
				matched++
			}
		}
		if matched != 1 {
			t.Errorf("code %s matches %d sentinels, want 1", name, matched)
		}
	}
	if len(sentinels) != int(-CodeCanceled) {
		t.Errorf("%d sentinels, the header has %d codes", len(sentinels), -CodeCanceled)
	}
	if Code(-999).String() != "E-999" || Code(0).String() != "" {
		t.Error("unknown and zero codes are not named as documented")
	}
}

func TestErrorsAsGivesTheDetails(t *testing.T) {
	var err error = fmt.Errorf("wrapped: %w",
		&Error{Code: CodeLogin, Message: `login as "r" refused`, SQLState: "28P01"})
	var e *Error
	if !errors.Is(err, ErrLogin) || errors.Is(err, ErrConfig) || !errors.As(err, &e) || e.SQLState != "28P01" {
		t.Fatalf("errors.Is/As on %v failed", err)
	}
	if !strings.Contains(err.Error(), "28P01") {
		t.Errorf("Error() = %q lacks the SQLSTATE", err.Error())
	}
}

func TestCancellationMatchesTheContextError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := withContext(ctx, &Error{Code: CodeCanceled, Message: "canceled"})
	if !errors.Is(err, ErrCanceled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("%v is not both ErrCanceled and context.Canceled", err)
	}
	other := withContext(context.Background(), &Error{Code: CodeCanceled})
	if errors.Is(other, context.Canceled) {
		t.Error("a cancel nobody asked for matches context.Canceled")
	}
}

func TestUnknownConfigKeyIsErrConfigNamingTheKey(t *testing.T) {
	_, err := NewCredentials(Config{"config.use_environment": "false", "no.such.key": "x"})
	var e *Error
	if !errors.Is(err, ErrConfig) || !errors.As(err, &e) || !strings.Contains(e.Message, "no.such.key") {
		t.Fatalf("NewCredentials error = %v, want ErrConfig naming the key", err)
	}
}

func TestSecretNeverInConfigErrors(t *testing.T) {
	const secret = "s3cr3t-value-that-must-not-leak"
	_, err := NewCredentials(Config{
		"config.use_environment": "false",
		"auth.client_secret":     secret,
		"lakebase.endpoint":      "projects/p/branches/b/endpoints/e",
	})
	if err == nil || !errors.Is(err, ErrConfig) {
		t.Fatalf("error = %v, want ErrConfig (no workspace.host)", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatal("the error message contains the secret")
	}
}

func TestClosedCredentialsFailWithErrClosed(t *testing.T) {
	creds, err := NewCredentials(Config{"config.use_environment": "false",
		"pg.host": "127.0.0.1", "pg.user": "u", "pg.password": "p"})
	if err != nil {
		t.Fatal(err)
	}
	creds.Close()
	creds.Close()
	if _, err := creds.Get(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Get after Close = %v, want ErrClosed", err)
	}
}
