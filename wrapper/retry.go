package wrapper

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// retryPolicy says which failed requests are repeated and how long to wait first.
//
// The rule that matters most: a request that may have reached the service is repeated only
// when repeating it is harmless. A POST that sends a one-time password may have sent an SMS
// even when the answer was a 5xx, a timeout or a dropped connection, so POST and DELETE are
// repeated only after a failure to connect (the request provably never left). Not even a
// 429: the service's 429 is "Too many duplicate request detected", its refusal of a
// duplicate of a request it is still handling, and the same send repeated once that one is
// done would deliver a second code.
//
// The policy is two pure functions of one attempt's outcome: classify says whether to try
// again and why, delay says how long to wait first. The 401 that makes the client log in
// again is not a retry and never reaches the policy.
type retryPolicy struct {
	maxRetries    int           // repetitions after the first attempt
	base, max     time.Duration // exponential backoff from base, never above max
	retryAfterCap time.Duration // the longest Retry-After worth waiting for
}

// retryInput is the outcome of one attempt, as the policy judges it.
type retryInput struct {
	method  string // the request's method
	attempt int    // 0 for the first try
	status  int    // the answer's status; 0 when err is set
	err     error  // the error of the exchange (no answer, or a body that broke off)
	// retryAfter is the answer's Retry-After, read once when the answer came; hasRetryAfter
	// says there was a readable one (0 included).
	retryAfter    time.Duration
	hasRetryAfter bool
}

// classify reports whether the attempt described by in is worth repeating, and why (or why
// not), for the debug log.
func (p retryPolicy) classify(in retryInput) (retry bool, why string) {
	retry, why = p.retryable(in)
	if retry && in.attempt >= p.maxRetries {
		return false, "no retries left"
	}
	return retry, why
}

// retryable is classify without the count of attempts.
func (p retryPolicy) retryable(in retryInput) (retry bool, why string) {
	if in.err != nil {
		switch {
		case isContextError(in.err):
			return false, "the caller's context ended"
		case neverSent(in.err):
			return true, "the connection could not be opened"
		case !idempotent(in.method):
			return false, in.method + " may have reached the service"
		case connectionError(in.err):
			return true, "the connection failed"
		}
		return false, "an error that repeating cannot mend"
	}
	switch in.status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
	default:
		return false, "the status is final"
	}
	if !idempotent(in.method) {
		return false, in.method + " may have reached the service"
	}
	if p.honoursRetryAfter(in) && in.retryAfter > p.retryAfterCap {
		// Longer than we are willing to wait: report it now, with RetryAfter set, and let
		// the caller decide.
		return false, "Retry-After is over the cap"
	}
	return true, "a transient status"
}

// delay is how long to wait before repeating the attempt described by in: the backoff, or
// the service's Retry-After on a 429 or 503 when that is longer. Never less than the
// backoff: "Retry-After: 0" or a date in the past must not make the attempts back-to-back.
// jitter is a random number in [0, 1).
func (p retryPolicy) delay(in retryInput, jitter float64) time.Duration {
	d := p.backoff(in.attempt, jitter)
	if p.honoursRetryAfter(in) {
		d = max(d, in.retryAfter)
	}
	return d
}

// honoursRetryAfter reports whether in carries a Retry-After the policy follows: the
// service sends it with 429 and 503.
func (p retryPolicy) honoursRetryAfter(in retryInput) bool {
	return in.hasRetryAfter && (in.status == http.StatusTooManyRequests || in.status == http.StatusServiceUnavailable)
}

// backoff is the wait before retry number attempt+1: base·2^attempt capped at max, of which
// the upper half is random ("equal jitter"), so the wait never collapses to nothing.
func (p retryPolicy) backoff(attempt int, jitter float64) time.Duration {
	d := p.max
	if attempt < 30 {
		if e := p.base << attempt; e > 0 && e < p.max {
			d = e
		}
	}
	half := d / 2
	return half + time.Duration(jitter*float64(d-half))
}

// idempotent reports whether repeating the method cannot do anything twice.
func idempotent(method string) bool {
	return method == http.MethodGet || method == http.MethodHead
}

// neverSent reports whether err proves the request never reached the service: the
// connection could not be opened (refused, unreachable, name not resolved).
func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// connectionError reports whether err is a network failure, for which an idempotent request
// may be repeated: resets, closed connections, truncated answers and network timeouts.
// Certificate and protocol errors are not: repeating them cannot help.
func connectionError(err error) bool {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	return errors.As(err, &ne) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// isContextError reports whether err is a cancellation or a deadline.
func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// parseRetryAfter reads a Retry-After value, delay-seconds or an HTTP date, as a wait from
// now, never negative (a date in the past is 0). ok is false when v is empty or cannot be
// read; the usual backoff then applies.
func parseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isDigit(v[0]) {
		for i := 0; i < len(v); i++ {
			if !isDigit(v[i]) {
				return 0, false
			}
		}
		const maxSeconds = math.MaxInt64 / int64(time.Second)
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > maxSeconds {
			secs = maxSeconds // only overflow can fail after the digit check
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// wait sleeps for d unless ctx ends first.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
