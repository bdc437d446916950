package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-bsg/bsg2fa/gen"
)

// Path templates of the operations: what the debug log shows instead of the real path.
const (
	opLogin               = "/api/auth/login"
	opRefresh             = "/api/auth/refresh"
	opSendOTP             = "/api/2fa/authentications/otp"
	opResendOTP           = "/api/2fa/authentications/otp/{id}/resend"
	opVerifyOTP           = "/api/2fa/authentications/otp/{id}/verify"
	opCancelOTP           = "/api/2fa/authentications/{id}/cancel"
	opGetAuthentication   = "/api/2fa/authentications/{id}"
	opListAuthentications = "/api/2fa/authentications"
	opTemplates           = "/api/2fa/authentications/templates"
	opTemplate            = "/api/2fa/authentications/templates/{templateId}"
)

// callKind says how a call is authorised.
type callKind uint8

const (
	callAPI     callKind = iota // the client's bearer, logging in first if needed
	callLogin                   // no bearer: this is the login
	callRefresh                 // the bearer being refreshed, given by the caller
)

// headHold is how many leading bytes of a 2xx body are kept for the snippet of a decoding error.
const headHold = 256

// call is the state of one operation. It is the http doer gen sends through, so it sees every
// attempt: it adds the headers, applies the retry policy and the 401 re-login, bounds the body,
// logs, and remembers what a decoding error must report (status, content type, first bytes),
// because gen's decoding errors carry none of it.
//
// gen's client types are embedded so that a call costs one allocation.
type call struct {
	c            *Client
	op           string
	kind         callKind
	bearerHeader []string // callRefresh: the bearer to send
	recipient    string   // SendOTP: logged masked
	code         string   // VerifyOTP: scrubbed from error messages
	sentBearer   string   // the bearer of the latest attempt: scrubbed from error messages

	gc  gen.Client
	gcr gen.ClientWithResponses

	// The 2xx response, once there is one.
	status      int
	contentType string
	body        limitedBody
	read        readBody
	head        [headHold]byte
	headLen     int
}

// newCall prepares the state of one operation; op is its path template.
func (c *Client) newCall(op string, kind callKind) *call {
	k := &call{c: c, op: op, kind: kind}
	k.gc.Server = c.server
	k.gc.Client = k
	k.gcr.ClientInterface = &k.gc
	return k
}

// Do sends req for gen, with retries and at most one re-login. A non-2xx answer becomes an
// *APIError returned as the error (gen passes it up unchanged); a 2xx answer is returned with
// its body bounded by the client's limit.
func (k *call) Do(req *http.Request) (*http.Response, error) {
	c := k.c
	ctx := req.Context()
	debug := c.logger != nil && c.logger.Enabled(ctx, slog.LevelDebug)
	req.Header["User-Agent"] = c.userAgent
	relogged := false
	for attempt := 0; ; attempt++ {
		if attempt > 0 || relogged {
			var err error
			if req, err = rewind(req); err != nil {
				return nil, err
			}
		}
		var used *token
		switch k.kind {
		case callAPI:
			tok, err := c.token(ctx)
			if err != nil {
				return nil, err
			}
			used = tok
			req.Header["Authorization"] = tok.header
			k.sentBearer = tok.bearer.reveal()
		case callRefresh:
			req.Header["Authorization"] = k.bearerHeader
			k.sentBearer = strings.TrimPrefix(k.bearerHeader[0], "Bearer ")
		}

		var start time.Time
		if debug {
			start = time.Now()
		}
		resp, err := c.hc.Do(req)
		if ue, ok := err.(*url.Error); ok {
			// The real URL carries ids and list filters (a recipient's number among them);
			// the error names the path template instead, as the debug log does.
			ue.URL = c.baseURL + k.op
		}
		// What is logged and returned never quotes a secret the server sent back (in a
		// malformed status line, say); the retry policy judges the error as it came.
		shown := k.hide(err)
		if debug {
			k.log(ctx, req.Method, resp, shown, attempt, time.Since(start))
		}

		if err == nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
			// The body is read here, not by gen, so that an answer that breaks off is
			// handled by the retry policy like any other dropped connection.
			if resp, err = k.accept(resp); err == nil {
				return resp, nil
			}
			shown = k.hide(err)
			if debug {
				k.log(ctx, req.Method, nil, shown, attempt, time.Since(start))
			}
			if errors.Is(err, ErrResponseTooLarge) {
				return nil, shown
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, shown
			}
			retry, d := c.retry.decide(req.Method, 0, err, 0, false, attempt, c.jitter())
			if !retry || outlasts(ctx, d) {
				return nil, shown
			}
			if werr := c.sleep(ctx, d); werr != nil {
				return nil, werr
			}
			continue
		}

		status := resp.StatusCode
		if status == http.StatusUnauthorized && k.kind == callAPI && !relogged && c.auth.canLogin() {
			// The bearer was refused (revoked, or expired early): forget it, log in again
			// and repeat the request once. This does not count as a retry.
			discard(resp)
			c.auth.invalidate(used)
			relogged = true
			attempt--
			continue
		}
		ra, hasRA := retryAfter(resp.Header, time.Now())
		retry, d := c.retry.decide(req.Method, status, nil, ra, hasRA, attempt, c.jitter())
		if retry && !outlasts(ctx, d) {
			discard(resp)
			if werr := c.sleep(ctx, d); werr != nil {
				return nil, werr
			}
			continue
		}
		return nil, k.apiError(resp)
	}
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

// retryAfter reads Retry-After (seconds or an HTTP date). A value that cannot be read counts
// as absent, so the usual backoff applies.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	d := parseRetryAfter(v, now)
	if d <= 0 && strings.TrimSpace(v) != "0" {
		if _, err := http.ParseTime(v); err != nil {
			return 0, false
		}
	}
	return max(d, 0), true
}

// discard drains a little of a body we do not need and closes it, so the connection can be
// reused without reading a large answer.
func discard(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
	_ = resp.Body.Close()
}

// apiError reads a non-2xx answer into an *APIError. A body over the size limit is not
// parsed at all (what was cut off cannot be trusted): the error keeps the status and also
// matches ErrResponseTooLarge.
func (k *call) apiError(resp *http.Response) *APIError {
	defer func() { _ = resp.Body.Close() }()
	var body []byte
	tooLarge := resp.ContentLength > k.c.maxBytes
	if !tooLarge {
		body, _ = io.ReadAll(io.LimitReader(resp.Body, k.c.maxBytes+1))
		if tooLarge = int64(len(body)) > k.c.maxBytes; tooLarge {
			body = nil
		}
	}
	e := newAPIError(resp.StatusCode, resp.Header, body)
	e.tooLarge = tooLarge
	scrub(e, k.clean)
	return e
}

// accept reads a 2xx answer's body, bounded by the client's limit, and hands the answer to
// gen with the body in memory. One whose declared length is over the limit is refused without
// reading it; one that grows past the limit is refused once the limit is passed. A body that
// breaks off (a dropped connection, a timeout) gives the read error, wrapped, for the retry
// policy to judge.
func (k *call) accept(resp *http.Response) (*http.Response, error) {
	k.status = resp.StatusCode
	k.contentType = resp.Header.Get("Content-Type")
	if resp.ContentLength > k.c.maxBytes {
		_ = resp.Body.Close()
		return nil, k.tooLarge()
	}
	k.headLen = 0
	k.body = limitedBody{rc: resp.Body, left: k.c.maxBytes + 1, k: k}
	buf := bodyPool.Get().(*bytes.Buffer)
	_, err := buf.ReadFrom(&k.body)
	// Closing without draining: after an error, the connection is not worth keeping.
	_ = resp.Body.Close()
	if err != nil {
		releaseBuffer(buf)
		if errors.Is(err, ErrResponseTooLarge) {
			return nil, err
		}
		status := k.status
		// Not a decoding failure: the answer never arrived whole.
		k.status, k.contentType, k.headLen = 0, "", 0
		return nil, fmt.Errorf("bsg2fa: reading the %d answer: %w", status, err)
	}
	k.read.buf = buf
	k.read.Reset(buf.Bytes())
	resp.Body = &k.read
	return resp, nil
}

// bodyPool holds the buffers 2xx bodies are read into, so that a call does not allocate one.
var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest buffer put back into bodyPool: a rare large answer must not
// keep its memory alive.
const maxPooledBuffer = 64 << 10

func releaseBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	bodyPool.Put(b)
}

// readBody is a body already read into a pooled buffer; closing it gives the buffer back.
type readBody struct {
	bytes.Reader
	buf *bytes.Buffer
}

func (b *readBody) Close() error {
	if b.buf != nil {
		b.Reset(nil)
		releaseBuffer(b.buf)
		b.buf = nil
	}
	return nil
}

// tooLarge is the error of a body over the limit.
func (k *call) tooLarge() *ResponseError {
	return &ResponseError{StatusCode: k.status, ContentType: k.clean(k.contentType), Err: ErrResponseTooLarge}
}

// limitedBody reads a 2xx body for gen: it fails once more than the limit has come (reading
// at most one byte past it) and keeps the first bytes for error snippets.
type limitedBody struct {
	rc   io.ReadCloser
	left int64 // bytes still allowed, plus one to notice an overflow
	k    *call
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, b.k.tooLarge()
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	if k := b.k; k.headLen < headHold && n > 0 {
		k.headLen += copy(k.head[k.headLen:], p[:n])
	}
	b.left -= int64(n)
	if b.left <= 0 {
		return n, b.k.tooLarge()
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// fail turns the error of a gen call into what the caller gets: an *APIError (a 404 that names
// nothing known standing for notFound), a *ResponseError for a 2xx answer that could not be
// read or decoded, or the transport or context error as it came.
func (k *call) fail(err error, notFound error) error {
	// Type assertions, not errors.As: only the errors Do returned itself are final here; a
	// wrapped one (a refused login, say) keeps its wrapping.
	switch e := err.(type) {
	case *APIError:
		if e.StatusCode == http.StatusNotFound && notFound != nil {
			return e.withNotFound(notFound)
		}
		return e
	case *ResponseError:
		return e
	}
	if k.status != 0 {
		// gen got a 2xx answer and could not read or decode it.
		return k.malformed(k.head[:k.headLen], err)
	}
	return err
}

// malformed is the error of a 2xx answer that is not what the spec promises. Token answers are
// never quoted: they may hold a bearer.
func (k *call) malformed(body []byte, cause error) *ResponseError {
	e := &ResponseError{StatusCode: k.status, ContentType: k.clean(k.contentType), Err: ErrMalformedResponse}
	if k.kind == callAPI {
		// Long tokens are cut by snippet; the key, a bearer that is not a JWT and the code
		// may be short.
		e.Snippet = k.clean(snippet(body))
	}
	if cause != nil {
		e.Err = fmt.Errorf("%w: %w", ErrMalformedResponse, k.hide(cause))
	}
	return e
}

// decodeOther decodes a 2xx answer gen left alone: a success status the spec does not name
// for the operation (say 200 where 201 is documented), or a JSON body under another content
// type. The service runs on PHP, whose default header is "text/html; charset=UTF-8", and
// proxies rewrite headers, so the body decides, not the header: one that starts with '{' or
// '[' (after white space) is decoded; anything else (an HTML page, an empty body) is a
// malformed answer.
func (k *call) decodeOther(body []byte, dst any) error {
	if !looksLikeJSON(body) {
		return k.malformed(body, errors.New("the body is not JSON"))
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return k.malformed(body, err)
	}
	return nil
}

// looksLikeJSON reports whether body starts, after white space, like a JSON object or array.
func looksLikeJSON(body []byte) bool {
	body = bytes.TrimLeft(body, " \t\r\n")
	return len(body) > 0 && (body[0] == '{' || body[0] == '[')
}

// log writes the debug line of one attempt. The path is the template, never the real path, and
// nothing from headers or bodies is logged.
func (k *call) log(ctx context.Context, method string, resp *http.Response, err error, attempt int, d time.Duration) {
	attrs := make([]slog.Attr, 0, 7)
	attrs = append(attrs,
		slog.String("method", method),
		slog.String("path", k.op),
		slog.Int("attempt", attempt+1),
		slog.Duration("duration", d),
	)
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	if k.recipient != "" {
		attrs = append(attrs, slog.String("recipient", maskPhone(k.recipient)))
	}
	k.c.logger.LogAttrs(ctx, slog.LevelDebug, "bsg2fa request", attrs...)
}

// debug logs a message at debug level when the client has a logger that wants it.
func (c *Client) debug(ctx context.Context, msg string, args ...any) {
	if c.logger != nil && c.logger.Enabled(ctx, slog.LevelDebug) {
		c.logger.DebugContext(ctx, msg, args...)
	}
}

// maskPhone keeps the first three and last three digits of a phone number ("380*****073"), enough
// to tell numbers apart in a log without disclosing them.
func maskPhone(s string) string {
	if len(s) <= 6 {
		return strings.Repeat("*", len(s))
	}
	return s[:3] + strings.Repeat("*", len(s)-6) + s[len(s)-3:]
}
