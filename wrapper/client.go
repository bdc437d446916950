package wrapper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Version is the version of this library. The default User-Agent carries it.
const Version = "0.1.0"

// DefaultBaseURL is the vendor's production One-API.
const DefaultBaseURL = "https://one-api.bsg.world"

// Defaults of the options; each can be changed with the option of the same name.
const (
	// DefaultMaxRetries is how many times a failed request may be repeated (see WithMaxRetries).
	DefaultMaxRetries = 2
	// DefaultRetryAfterCap is the longest Retry-After the client waits for (see WithRetryAfterCap).
	DefaultRetryAfterCap = 30 * time.Second
	// DefaultMaxResponseBytes is the largest response body the client reads (see WithMaxResponseBytes).
	DefaultMaxResponseBytes = 4 << 20
	// DefaultTimeout bounds each HTTP exchange when no http.Client is given (see WithTimeout).
	DefaultTimeout = 30 * time.Second
)

// Backoff between retries when the service gives no Retry-After: exponential from
// backoffBase, never longer than backoffMax, with jitter so callers do not retry in step.
const (
	backoffBase = 200 * time.Millisecond
	backoffMax  = 5 * time.Second
)

// maxConnsPerHost is how many connections the default transport opens to the service, and
// keeps idle between calls: as many requests can be in flight at once, and further calls
// wait for a free connection. A program that needs more gives its own http.Client.
//
// The standard 2 idle connections make concurrent callers open and close connections on
// every burst. Without a bound on open connections, net/http starts a dial for every
// request that finds no idle connection, even when one comes free a moment later, so under
// load a burst of 64 callers opens up to twice as many connections as it needs.
const maxConnsPerHost = 64

// Client calls the BSG 2FA API. It is safe for concurrent use; create one and share it, so that
// every goroutine uses the same bearer token and the same connections.
type Client struct {
	server     string // base URL with a trailing slash, as gen expects
	baseURL    string // as configured, for String
	httpClient *http.Client
	userAgent  string
	logger     *slog.Logger
	retry      retryPolicy
	maxBytes   int64
	auth       *authState
	jitter     func() float64 // random source of the backoff; replaced by tests
	// sleep waits between attempts, ending early with ctx; replaced by tests.
	sleep func(ctx context.Context, d time.Duration) error
}

// New returns a client that logs in with apiKey on its first call. apiKey may be empty only
// when WithToken gives a bearer.
func New(apiKey string, opts ...Option) (*Client, error) {
	cfg := config{
		baseURL:       DefaultBaseURL,
		maxRetries:    DefaultMaxRetries,
		userAgent:     "bsg2fa-go/" + Version,
		retryAfterCap: DefaultRetryAfterCap,
		maxBytes:      DefaultMaxResponseBytes,
		timeout:       DefaultTimeout,
	}
	for _, o := range opts {
		if o.apply == nil {
			return nil, errors.New("bsg2fa: New: zero Option")
		}
		if err := o.apply(&cfg); err != nil {
			return nil, fmt.Errorf("bsg2fa: New: %w", err)
		}
	}
	if strings.ContainsAny(apiKey, "\r\n") {
		return nil, errors.New("bsg2fa: New: malformed API key")
	}
	if strings.TrimSpace(apiKey) == "" && cfg.token == "" {
		return nil, errors.New("bsg2fa: New: an API key or WithToken is required")
	}
	server, err := checkBaseURL(cfg.baseURL)
	if err != nil {
		return nil, fmt.Errorf("bsg2fa: New: %w", err)
	}
	hc := cfg.httpClient
	if hc == nil {
		hc = defaultHTTPClient(cfg.timeout)
	} else if cfg.timeoutSet {
		return nil, errors.New("bsg2fa: New: WithTimeout and WithHTTPClient together; set the http.Client's Timeout")
	}

	c := &Client{
		server:     server,
		baseURL:    strings.TrimSuffix(server, "/"),
		httpClient: hc,
		userAgent:  cfg.userAgent,
		logger:     cfg.logger,
		retry: retryPolicy{
			maxRetries:    cfg.maxRetries,
			base:          backoffBase,
			max:           backoffMax,
			retryAfterCap: cfg.retryAfterCap,
		},
		maxBytes: cfg.maxBytes,
		auth:     &authState{apiKey: secret(strings.TrimSpace(apiKey)), now: time.Now},
		jitter:   rand.Float64,
		sleep:    wait,
	}
	if cfg.token != "" {
		// A bearer from elsewhere may be old: its remaining life is judged by exp alone.
		c.auth.tok = newToken(cfg.token, time.Now(), false)
	}
	return c, nil
}

// checkBaseURL returns the base URL in the form gen expects (with a trailing slash), or why it
// cannot be used.
func checkBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("WithBaseURL: not a URL")
	}
	switch {
	case u.Host == "" || u.Hostname() == "":
		return "", errors.New("WithBaseURL: no host")
	case u.User != nil:
		// Credentials in the URL would end up in every error message that quotes it.
		return "", errors.New("WithBaseURL: credentials in the URL are not allowed")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return "", errors.New("WithBaseURL: query or fragment not allowed")
	case u.Scheme == "https":
	case u.Scheme == "http":
		if !isLoopback(u.Hostname()) {
			return "", errors.New("WithBaseURL: http:// is allowed only for loopback hosts; use https://")
		}
	default:
		return "", errors.New("WithBaseURL: scheme must be https")
	}
	return strings.TrimSuffix(u.String(), "/") + "/", nil
}

// isLoopback reports whether host names this machine: localhost or a loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	return addr.Unmap().IsLoopback()
}

// defaultHTTPClient is the client used when the caller gives none: its own transport (so that
// nothing the program does to http.DefaultTransport changes it) with enough idle connections
// per host for concurrent callers, and an overall timeout per exchange.
func defaultHTTPClient(timeout time.Duration) *http.Client {
	var tr *http.Transport
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		tr = dt.Clone()
	} else {
		tr = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
			IdleConnTimeout:       90 * time.Second,
		}
	}
	tr.MaxIdleConns = maxConnsPerHost
	tr.MaxIdleConnsPerHost = maxConnsPerHost
	tr.MaxConnsPerHost = maxConnsPerHost
	return &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: noRedirects}
}

// noRedirects makes the default client return a redirect as the answer instead of following
// it. The service never redirects its API; following one would repeat a POST (the send, or a
// verify carrying the code) to wherever the redirect points, and Go keeps the Authorization
// header when only the port differs.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// String describes the client without its credentials.
//
// The printing methods have value receivers so that a Client value, not only a pointer,
// prints this way: fmt would otherwise walk the unexported fields, where the methods of the
// secret type cannot hide them.
func (c Client) String() string {
	return "bsg2fa.Client{baseURL: " + c.baseURL + ", credentials: " + redacted + "}"
}

// GoString implements fmt.GoStringer, so %#v does not walk the fields.
func (c Client) GoString() string { return c.String() }

// Format implements fmt.Formatter: every verb prints String, so no verb (%+v, %#v, %x …)
// can reach the API key or the bearer.
func (c Client) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue implements slog.LogValuer.
func (c Client) LogValue() slog.Value { return slog.StringValue(c.String()) }
