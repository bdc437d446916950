package wrapper

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
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
type retryPolicy struct {
	maxRetries    int           // repetitions after the first attempt
	base, max     time.Duration // exponential backoff from base, never above max
	retryAfterCap time.Duration // the longest Retry-After worth waiting for
}

// decide is the whole retry policy as a pure function of one attempt's outcome.
//
// method is the request's; status is the response's (0 when err is set); err is the error of
// the exchange; retryAfter and hasRetryAfter come from the Retry-After header; attempt counts
// from 0 for the first try; jitter is a random number in [0, 1). It returns whether to try
// again and how long to wait before doing so.
func (p retryPolicy) decide(method string, status int, err error, retryAfter time.Duration, hasRetryAfter bool, attempt int, jitter float64) (retry bool, wait time.Duration) {
	if attempt >= p.maxRetries {
		return false, 0
	}
	switch {
	case err != nil:
		if isContextError(err) {
			return false, 0
		}
		if idempotent(method) {
			retry = connectionError(err)
		} else {
			retry = neverSent(err)
		}
	case status == http.StatusTooManyRequests, status == http.StatusInternalServerError, status == http.StatusBadGateway,
		status == http.StatusServiceUnavailable, status == http.StatusGatewayTimeout:
		retry = idempotent(method)
	}
	if !retry {
		return false, 0
	}
	if hasRetryAfter && (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) {
		if retryAfter > p.retryAfterCap {
			// Longer than we are willing to wait: report it now, with RetryAfter set, and
			// let the caller decide.
			return false, 0
		}
		// Never less than the backoff: "Retry-After: 0" or a date in the past must not make
		// the attempts back-to-back.
		return true, max(retryAfter, p.backoff(attempt, jitter))
	}
	return true, p.backoff(attempt, jitter)
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
// may be repeated: anything neverSent accepts, resets, closed connections, truncated
// answers and network timeouts. Certificate and protocol errors are not: repeating them
// cannot help.
func connectionError(err error) bool {
	if neverSent(err) {
		return true
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	return errors.As(err, &ne) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
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
