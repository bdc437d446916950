package wrapper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// authMode says how a request is authorised.
type authMode uint8

const (
	authBearer authMode = iota // the client's bearer, logging in first when there is none
	authNone                   // no bearer: this is the login
	authGiven                  // callInfo.bearer: the bearer being refreshed
)

// callInfo is what do needs to know about an operation besides its request.
type callInfo struct {
	// path is the operation's path template ("/api/2fa/authentications/{id}"): the debug
	// log and transport errors show it instead of the real path, which carries ids and
	// list filters (a recipient's number among them).
	path      string
	auth      authMode
	bearer    *token // authGiven: the bearer to send
	recipient string // logged masked
	code      string // the code being verified: scrubbed from every error text
	// bodyUnused says the caller needs only the status of a 2xx answer: its body is not
	// read, so nothing it holds (or how it ends) can fail the call.
	bodyUnused bool
	// notFound is the sentinel a 404 without a recognised message stands for: the client
	// knows whether it asked for a template or a session, the body often does not say.
	notFound error
}

// do sends req, built by gen, and returns the 2xx answer read whole. It sets the User-Agent
// and the bearer (logging in first when needed), bounds the body, logs each attempt,
// applies the retry policy, and logs in again once when the bearer is refused.
//
// What it returns besides an answer is final: an *APIError for a non-2xx answer, a
// *ResponseError for a body over the size limit, or the transport or context error (with
// any secret it quoted replaced).
func (c *Client) do(ctx context.Context, req *http.Request, info callInfo) (*answer, error) {
	req = req.WithContext(ctx)
	req.Header.Set("User-Agent", c.userAgent)
	red := redactor{apiKey: c.auth.apiKey.reveal(), code: info.code}
	relogged := false
	for attempt := 0; ; {
		tok, err := c.authorize(ctx, req, info, &red)
		if err != nil {
			return nil, err
		}
		res := c.attempt(ctx, req, info, &red, attempt)
		switch {
		case res.answer != nil:
			return res.answer, nil
		case res.final != nil:
			return nil, res.final
		case res.status == http.StatusUnauthorized && info.auth == authBearer && !relogged && c.auth.canLogin():
			// The bearer was refused (revoked, or expired early): forget it, log in again
			// and repeat the request once. This is not a retry and does not use one up.
			discard(res.resp)
			c.auth.invalidate(tok)
			relogged = true
		default:
			in := retryInput{
				method:        req.Method,
				attempt:       attempt,
				status:        res.status,
				err:           res.err,
				retryAfter:    res.retryAfter,
				hasRetryAfter: res.hasRetryAfter,
			}
			retry, why := c.retry.classify(in)
			var d time.Duration
			if retry {
				if d = c.retry.delay(in, c.jitter()); outlasts(ctx, d) {
					retry, why = false, "the wait would outlast the context's deadline"
				}
			}
			c.debug(ctx, "bsg2fa retry decision", "path", info.path, "attempt", attempt+1, "retry", retry, "why", why)
			if !retry {
				return nil, res.failure(info, &red, c.maxBytes)
			}
			discard(res.resp)
			if err := c.sleep(ctx, d); err != nil {
				return nil, err
			}
			attempt++
		}
		if req, err = rewind(req); err != nil {
			return nil, err
		}
	}
}

// authorize sets the request's Authorization header as info asks and returns the client's
// bearer it used (nil for the login and the refresh).
func (c *Client) authorize(ctx context.Context, req *http.Request, info callInfo, red *redactor) (*token, error) {
	var tok *token
	switch info.auth {
	case authBearer:
		var err error
		if tok, err = c.token(ctx); err != nil {
			return nil, err
		}
	case authGiven:
		tok = info.bearer
	default:
		return nil, nil
	}
	req.Header.Set("Authorization", tok.authorization.reveal())
	red.bearer = tok.bearer.reveal()
	if info.auth == authGiven {
		return nil, nil
	}
	return tok, nil
}

// attemptResult is the outcome of one exchange: exactly one of answer (a 2xx read whole),
// final (nothing more to try), resp (a non-2xx answer, body unread) or err (no usable
// answer) is set.
type attemptResult struct {
	answer *answer
	final  error

	resp          *http.Response
	status        int
	retryAfter    time.Duration
	hasRetryAfter bool

	// err is the error as it came, for the retry policy (hiding a secret in its text must
	// not hide what kind of failure it was); shown is the same error with the call's
	// secrets replaced, for the log and the caller.
	err, shown error
}

// attempt makes one exchange and reads what came back.
func (c *Client) attempt(ctx context.Context, req *http.Request, info callInfo, red *redactor, attempt int) attemptResult {
	start := time.Now()
	resp, err := c.httpClient.Do(req)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			ue.URL = c.baseURL + info.path
		}
		// What is logged and returned never quotes a secret the server sent back (in a
		// malformed status line, say); the retry policy judges the error as it came.
		shown := red.hide(err)
		c.logAttempt(ctx, req.Method, info, 0, shown, attempt, time.Since(start))
		if ctx.Err() != nil {
			return attemptResult{final: shown}
		}
		return attemptResult{err: err, shown: shown}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		c.logAttempt(ctx, req.Method, info, resp.StatusCode, nil, attempt, time.Since(start))
		ra, hasRA := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return attemptResult{resp: resp, status: resp.StatusCode, retryAfter: ra, hasRetryAfter: hasRA}
	}
	if info.bodyUnused {
		discard(resp)
		c.logAttempt(ctx, req.Method, info, resp.StatusCode, nil, attempt, time.Since(start))
		return attemptResult{answer: &answer{status: resp.StatusCode, red: *red}}
	}
	// The body is read here, not by gen, so that an answer that breaks off is handled by
	// the retry policy like any other dropped connection.
	ans, err := c.readAnswer(resp, info, red)
	shown := red.hide(err)
	c.logAttempt(ctx, req.Method, info, resp.StatusCode, shown, attempt, time.Since(start))
	switch {
	case err == nil:
		return attemptResult{answer: ans}
	case errors.Is(err, ErrResponseTooLarge), ctx.Err() != nil:
		return attemptResult{final: shown}
	}
	return attemptResult{err: err, shown: shown}
}

// failure is the error of an attempt not repeated: the transport error, or the *APIError
// read from the answer.
func (r attemptResult) failure(info callInfo, red *redactor, maxBytes int64) error {
	if r.resp == nil {
		return r.shown
	}
	e := readAPIError(r.resp, maxBytes)
	if r.status == http.StatusTooManyRequests || r.status == http.StatusServiceUnavailable {
		e.RetryAfter = r.retryAfter
	}
	if r.status == http.StatusNotFound {
		e.notFound = info.notFound
	}
	red.scrub(e)
	return e
}

// outlasts reports whether waiting d would take the call past ctx's deadline. The last
// answer is then returned at once: waiting only to fail with context.DeadlineExceeded would
// hide what the service said (a 429 with its Retry-After, a 503).
func outlasts(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) < d
}

// rewind returns a copy of req ready to be sent again, with the same body from the start.
// gen builds bodies from byte slices, so GetBody is always there when there is a body.
func rewind(req *http.Request) (*http.Request, error) {
	r := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		if req.GetBody == nil {
			return nil, errors.New("bsg2fa: request body cannot be sent again")
		}
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = body
	}
	return r, nil
}

// discard drains a little of a body we do not need and closes it, so the connection can be
// reused without reading a large answer.
func discard(resp *http.Response) {
	if resp == nil {
		return
	}
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
	_ = resp.Body.Close()
}

// requestError is the error of a request gen could not build. Validation runs first, so it
// means a value gen's encoding refused after all.
func requestError(err error) error {
	return fmt.Errorf("bsg2fa: building the request: %w", err)
}
