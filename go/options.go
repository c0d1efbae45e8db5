package lakebase

import (
	"context"
	"log/slog"
	"time"
)

// Option adds to a Config what a string key cannot carry: a DSN, a
// workspace token source, a logger, a span listener. Pass options to Open, NewPool,
// NewCredentials, NewConnector, Connect or NewPoolSet after the Config.
type Option func(*options)

type options struct {
	dsn    string
	source TokenSource
	logger *slog.Logger
	spans  func(Span)
}

// WithDSN applies a libpq-style DSN ("host=... port=... user=...") or a
// postgres:// URL, as the core parses it (lakebase_config_set_dsn): host,
// port, dbname, user, password, sslmode and application_name become the
// pg.* keys. Keys set in the Config override the DSN's. The DSN may hold a
// password: its C copy is zeroed after use.
func WithDSN(dsn string) Option {
	return func(o *options) { o.dsn = dsn }
}

// TokenSource supplies the workspace access token (not a database
// credential) the core sends to the workspace API, for instance the
// x-forwarded-access-token of a Databricks App user, or a token your own
// auth code obtains.
//
// It returns the token and when it expires. A zero expiry means unknown:
// the core then calls the source again before every API request; with an
// expiry it reuses the token until shortly before then. A non-nil error,
// an empty token or a token of 16 KiB or more fails the request with
// ErrCallback, and the returned *Error wraps the source's error
// (errors.Is/As reach it).
//
// The core calls it from whichever goroutine or core thread needs a token
// (including its background refresh thread), possibly concurrently: it must
// be safe for concurrent use and must not block for long. ctx is canceled
// when the last Pool, Credentials, Connector or connection made with the
// source is closed.
type TokenSource func(ctx context.Context) (token string, expiry time.Time, err error)

// WithTokenSource installs source as the workspace authentication
// (lakebase_config_set_token_source). It is used when auth.type is
// "external", or when no other method is configured; with a PAT or client
// secret also configured (Config or environment), set auth.type to choose.
// Each Pool, Credentials or Connector made with a source has its own
// credential cache: the core keys its shared providers by source.
func WithTokenSource(source TokenSource) Option {
	return func(o *options) { o.source = source }
}

// WithLogger sends the core's log events to logger
// (lakebase_config_set_logger): LAKEBASE_LOG_ERROR, WARN, INFO and DEBUG
// become slog.LevelError, LevelWarn, LevelInfo and LevelDebug, filtered by
// the logger's handler. Each event is one line that never contains a token
// or secret. Events come from any goroutine or core thread, including the
// core's background refresh thread, so the handler must be safe for
// concurrent use and should not block. The core shares one credential
// provider between all pools and handles with the same workspace,
// identity and endpoint (never across token sources); it logs through the
// logger of the handle that created or last revived it, and drops its
// events once that handle is closed.
func WithLogger(logger *slog.Logger) Option {
	return func(o *options) { o.logger = logger }
}

// WithSpanListener calls listener with each finished span of the handles
// made with the option (lakebase_config_set_span_listener): every
// credential mint attempt ("lakebase.credential.mint", one per HTTPS call,
// so a retry is a span of its own) and every new PostgreSQL connection
// ("lakebase.connect"), failed or not, named and described as SpanTable
// lists them. Pools, Credentials, Connectors and their connections, direct
// connections and every per-user pool of a PoolSet report through it.
//
// The core calls listener on whichever goroutine or core thread finished
// the mint or connect (a caller's, its background thread or a worker),
// possibly concurrently, with no lock of the library held: it must be safe
// for concurrent use and must not block (hand the span to a channel or an
// exporter's queue), and it must not close the handle reporting the span.
// Like a logger, a credential provider shared by several handles reports
// its mints to every handle's listener; once a handle is closed its
// listener is never called again. With several WithSpanListener options the
// last one applies. lakebaseotel.Tracing turns the spans into
// OpenTelemetry spans.
func WithSpanListener(listener func(Span)) Option {
	return func(o *options) { o.spans = listener }
}

func collectOptions(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}
