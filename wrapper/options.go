package wrapper

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Option configures a Client. Options are made by the With functions; an invalid one makes
// New return an error.
type Option struct {
	apply func(*config) error
}

// config gathers the options before New checks them together.
type config struct {
	baseURL       string
	httpClient    *http.Client
	token         string
	logger        *slog.Logger
	maxRetries    int
	userAgent     string
	retryAfterCap time.Duration
	maxBytes      int64
	timeout       time.Duration
	timeoutSet    bool
}

// WithBaseURL sets the service's address (default DefaultBaseURL). It must be https, or http
// to a loopback host (127.0.0.0/8, ::1, localhost) for local stand-ins; a path prefix is kept.
func WithBaseURL(rawURL string) Option {
	return Option{func(c *config) error {
		c.baseURL = rawURL
		return nil
	}}
}

// WithHTTPClient makes the client send its requests with hc: its transport, proxy and
// timeout are used as they are.
func WithHTTPClient(hc *http.Client) Option {
	return Option{func(c *config) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil *http.Client")
		}
		c.httpClient = hc
		return nil
	}}
}

// WithToken makes the client use a bearer obtained elsewhere instead of logging in first.
// With an API key as well, the client logs in when the bearer is refused or runs out; without
// one, a refused bearer is ErrUnauthorized.
func WithToken(bearer string) Option {
	return Option{func(c *config) error {
		if !usableBearer(bearer) {
			return errors.New("WithToken: empty or malformed bearer")
		}
		c.token = bearer
		return nil
	}}
}

// WithLogger makes the client log every HTTP exchange at debug level: method, path template,
// status, attempt and duration; and, after a failed one, whether it is retried and why.
// Secrets are never logged and phone numbers are masked.
func WithLogger(l *slog.Logger) Option {
	return Option{func(c *config) error {
		if l == nil {
			return errors.New("WithLogger: nil *slog.Logger")
		}
		c.logger = l
		return nil
	}}
}

// WithMaxRetries sets how many times a failed request may be repeated (default 2, at most 10);
// 0 disables retries. Which failures are retried is described in the package documentation.
func WithMaxRetries(n int) Option {
	return Option{func(c *config) error {
		if n < 0 || n > 10 {
			return fmt.Errorf("WithMaxRetries: %d is outside 0..10", n)
		}
		c.maxRetries = n
		return nil
	}}
}

// WithUserAgent replaces the default User-Agent ("bsg2fa-go/" + Version).
func WithUserAgent(ua string) Option {
	return Option{func(c *config) error {
		if strings.TrimSpace(ua) == "" || strings.ContainsAny(ua, "\r\n") {
			return errors.New("WithUserAgent: empty or malformed user agent")
		}
		c.userAgent = ua
		return nil
	}}
}

// WithRetryAfterCap sets the longest Retry-After the client waits for before retrying
// (default 30s). A longer one ends the call at once with an error matching ErrRateLimited
// (or ErrServiceUnavailable for a 503) whose RetryAfter says how long the service asked for.
func WithRetryAfterCap(d time.Duration) Option {
	return Option{func(c *config) error {
		if d < 0 {
			return fmt.Errorf("WithRetryAfterCap: negative duration %s", d)
		}
		c.retryAfterCap = d
		return nil
	}}
}

// WithMaxResponseBytes sets the largest response body the client reads (default 4 MiB).
// A larger one is refused with an error matching ErrResponseTooLarge without being read whole.
func WithMaxResponseBytes(n int64) Option {
	return Option{func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("WithMaxResponseBytes: %d is not positive", n)
		}
		c.maxBytes = n
		return nil
	}}
}

// WithTimeout bounds each HTTP exchange of the default http.Client (default 30s). It cannot be
// combined with WithHTTPClient: set that client's Timeout instead.
func WithTimeout(d time.Duration) Option {
	return Option{func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("WithTimeout: %s is not positive", d)
		}
		c.timeout = d
		c.timeoutSet = true
		return nil
	}}
}
