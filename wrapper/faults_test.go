package wrapper

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
)

// faultEnv is what one row of the fault table runs against: a fake service that counts the
// requests it sees per path, and what the client did (dials, waits).
type faultEnv struct {
	srv     *httptest.Server
	other   *httptest.Server // another host, for redirects
	release chan struct{}    // closed when the call is over: stalled handlers give up

	logins, calls, otherCalls, dials atomic.Int32
	otherAuth                        atomic.Value // the Authorization header the other host saw
	serverWriteErr                   atomic.Bool  // a handler's write failed: the client hung up

	mu    sync.Mutex
	waits []time.Duration // every wait between attempts the client asked for
}

func (e *faultEnv) recordedWaits() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.waits...)
}

// stall blocks a handler until the client gives up or the row is over.
func (e *faultEnv) stall(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-e.release:
	}
}

// fault is one row of the table: a fault the service or the network inflicts on one call, and
// the outcome the client must show.
type fault struct {
	name string
	op   string // "send" (POST, never repeated once it may have arrived) or "get" (GET)

	login   http.HandlerFunc                                                 // the login endpoint; nil: a one-hour JWT
	handler func(e *faultEnv, w http.ResponseWriter, r *http.Request, n int) // the operation's endpoint; n counts from 1
	other   http.HandlerFunc                                                 // the other host; nil: a 200 session

	opts        []Option
	timeout     time.Duration         // the http.Client's; zero: 10s
	refuse      func(dial int32) bool // dials sent to a closed port
	noKeepAlive bool                  // one connection per request, so every request dials
	follow      bool                  // a caller's http.Client that follows redirects
	ctx         func() (context.Context, context.CancelFunc)
	client      func(c *Client) // further setup of the client
	realWaits   bool            // wait as long as asked (only the context may end it)

	wantErr    error // nil: success
	notErr     error // must not match, when set
	wantLogins int32
	wantCalls  int32
	check      func(t *testing.T, e *faultEnv, a *Authentication, err error)
}

const faultLimit = 64 << 10 // WithMaxResponseBytes of the rows that send large bodies

// writeSuccess writes the documented success of the operation.
func writeSuccess(op string, w http.ResponseWriter) {
	if op == "send" {
		writeJSON(w, http.StatusCreated, sendBody)
		return
	}
	writeJSON(w, http.StatusOK, statusBody)
}

// successOf is the documented success body and status of op.
func successOf(op string) (int, string) {
	if op == "send" {
		return http.StatusCreated, sendBody
	}
	return http.StatusOK, statusBody
}

// resetMidBody writes the status line, the headers (with the true Content-Length) and half of
// the body, then drops the connection.
func resetMidBody(op string, w http.ResponseWriter) {
	status, body := successOf(op)
	rawThenClose(w, "HTTP/1.1 "+strconv.Itoa(status)+" OK\r\nContent-Type: application/json\r\nContent-Length: "+
		strconv.Itoa(len(body))+"\r\n\r\n"+body[:len(body)/2])
}

// lyingLength declares a longer body than it sends, sends the whole documented body and drops
// the connection.
func lyingLength(op string, w http.ResponseWriter) {
	status, body := successOf(op)
	rawThenClose(w, "HTTP/1.1 "+strconv.Itoa(status)+" OK\r\nContent-Type: application/json\r\nContent-Length: "+
		strconv.Itoa(len(body)+100)+"\r\n\r\n"+body)
}

// rawThenClose takes the connection over, writes raw and closes it.
func rawThenClose(w http.ResponseWriter, raw string) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	_, _ = buf.WriteString(raw)
	_ = buf.Flush()
	_ = conn.Close()
}

// stallMidBody sends the headers and half of the body, then waits for the client to give up.
func stallMidBody(e *faultEnv, op string, w http.ResponseWriter, r *http.Request) {
	status, body := successOf(op)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body[:len(body)/2])
	w.(http.Flusher).Flush()
	e.stall(r)
}

// statusThen answers with status (and header h) for the first n requests, then with success.
func statusThen(status, n int, h map[string]string, body string) func(*faultEnv, http.ResponseWriter, *http.Request, int) {
	return func(_ *faultEnv, w http.ResponseWriter, r *http.Request, i int) {
		if i > n {
			writeSuccess(opOf(r), w)
			return
		}
		for k, v := range h {
			w.Header().Set(k, v)
		}
		writeJSON(w, status, body)
	}
}

// opOf tells the operation from the request.
func opOf(r *http.Request) string {
	if r.Method == http.MethodPost {
		return "send"
	}
	return "get"
}

// ok200 answers 200 with the given content type and body.
func ok200(contentType, body string) func(*faultEnv, http.ResponseWriter, *http.Request, int) {
	return func(_ *faultEnv, w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header()["Content-Type"] = nil
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, body)
	}
}

func withDeadline(d time.Duration) func() (context.Context, context.CancelFunc) {
	return func() (context.Context, context.CancelFunc) { return context.WithTimeout(context.Background(), d) }
}

// isAPIStatus checks that err carries status as an *APIError.
func isAPIStatus(status int) func(*testing.T, *faultEnv, *Authentication, error) {
	return func(t *testing.T, _ *faultEnv, _ *Authentication, err error) {
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, status, apiErr.StatusCode)
	}
}

// gzipped compresses s.
func gzipped(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write([]byte(s))
	_ = zw.Close()
	return b.Bytes()
}

func TestFaults(t *testing.T) {
	htmlPage := `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>`
	unknownValues := strings.NewReplacer(`"status":"verified"`, `"status":"on_hold"`, `"channel":"sms","sender":"testsms"`,
		`"channel":"RCS","sender":"testsms"`, `"status":"accepted"`, `"status":"queued"`,
		`{"data":{`, `{"meta":{"v":2},"data":{"new_field":{"x":[1,2]},`).Replace(statusBody)
	bomb := gzipped(`{"data":{"id":"x","message_text":"` + strings.Repeat(" ", 1<<20) + `"}}`)

	faults := []fault{
		// Connection refused: the request never left, so even the send is repeated.
		{name: "send: connection refused twice, then accepted", op: "send", noKeepAlive: true,
			refuse:     func(n int32) bool { return n == 2 || n == 3 },
			wantLogins: 1, wantCalls: 1,
			check: func(t *testing.T, e *faultEnv, _ *Authentication, _ error) { assert.Equal(t, int32(4), e.dials.Load()) }},
		{name: "send: connection refused every time", op: "send", noKeepAlive: true,
			refuse:  func(n int32) bool { return n > 1 },
			wantErr: syscall.ECONNREFUSED, wantLogins: 1, wantCalls: 0,
			check: func(t *testing.T, e *faultEnv, _ *Authentication, _ error) {
				assert.Equal(t, int32(1+3), e.dials.Load(), "login, then the first try and two retries")
			}},
		{name: "get: connection refused every time", op: "get", noKeepAlive: true,
			refuse:  func(n int32) bool { return n > 1 },
			wantErr: syscall.ECONNREFUSED, wantLogins: 1, wantCalls: 0,
			check: func(t *testing.T, e *faultEnv, _ *Authentication, _ error) { assert.Equal(t, int32(4), e.dials.Load()) }},

		// Dropped connections: a GET is repeated, a send that arrived never is.
		{name: "get: reset mid-body, then whole", op: "get",
			handler: func(_ *faultEnv, w http.ResponseWriter, r *http.Request, n int) {
				if n == 1 {
					resetMidBody("get", w)
					return
				}
				writeSuccess("get", w)
			},
			wantLogins: 1, wantCalls: 2},
		{name: "send: reset mid-body", op: "send",
			handler: func(_ *faultEnv, w http.ResponseWriter, _ *http.Request, _ int) { resetMidBody("send", w) },
			wantErr: io.ErrUnexpectedEOF, notErr: ErrMalformedResponse,
			wantLogins: 1, wantCalls: 1},
		{name: "send: connection closed before any answer", op: "send",
			handler: func(_ *faultEnv, w http.ResponseWriter, _ *http.Request, _ int) { rawThenClose(w, "") },
			wantErr: io.EOF, wantLogins: 1, wantCalls: 1},
		{name: "get: Content-Length longer than the body, then whole", op: "get",
			handler: func(_ *faultEnv, w http.ResponseWriter, r *http.Request, n int) {
				if n == 1 {
					lyingLength("get", w)
					return
				}
				writeSuccess("get", w)
			},
			wantLogins: 1, wantCalls: 2},
		{name: "send: Content-Length longer than the body", op: "send",
			handler: func(_ *faultEnv, w http.ResponseWriter, _ *http.Request, _ int) { lyingLength("send", w) },
			wantErr: io.ErrUnexpectedEOF, wantLogins: 1, wantCalls: 1},

		// Stalls: every wait ends with the client's timeout or the caller's deadline.
		{name: "send: stall before headers, client timeout", op: "send", timeout: 100 * time.Millisecond,
			handler: func(e *faultEnv, _ http.ResponseWriter, r *http.Request, _ int) { e.stall(r) },
			wantErr: context.DeadlineExceeded, wantLogins: 1, wantCalls: 1},
		{name: "get: stall before headers, context deadline", op: "get", ctx: withDeadline(150 * time.Millisecond),
			handler: func(e *faultEnv, _ http.ResponseWriter, r *http.Request, _ int) { e.stall(r) },
			wantErr: context.DeadlineExceeded, wantLogins: 1, wantCalls: 1},
		// The http.Client's Timeout is the caller's bound on an exchange, like a deadline:
		// even a GET is not repeated after it, so a call never takes several timeouts.
		{name: "get: stall before headers, client timeout", op: "get", timeout: 100 * time.Millisecond,
			handler: func(e *faultEnv, _ http.ResponseWriter, r *http.Request, _ int) { e.stall(r) },
			wantErr: context.DeadlineExceeded, wantLogins: 1, wantCalls: 1},
		{name: "send: stall mid-body, client timeout", op: "send", timeout: 200 * time.Millisecond,
			handler: func(e *faultEnv, w http.ResponseWriter, r *http.Request, _ int) { stallMidBody(e, "send", w, r) },
			wantErr: context.DeadlineExceeded, notErr: ErrMalformedResponse, wantLogins: 1, wantCalls: 1},
		{name: "get: stall mid-body, context deadline", op: "get", ctx: withDeadline(200 * time.Millisecond),
			handler: func(e *faultEnv, w http.ResponseWriter, r *http.Request, _ int) { stallMidBody(e, "get", w, r) },
			wantErr: context.DeadlineExceeded, notErr: ErrMalformedResponse, wantLogins: 1, wantCalls: 1},

		// Tokens.
		{name: "get: 401 mid-session, one re-login", op: "get",
			handler:    statusThen(http.StatusUnauthorized, 1, nil, `{"message":"Unauthenticated."}`),
			wantLogins: 2, wantCalls: 2},
		{name: "send: 401 twice", op: "send",
			handler: statusThen(http.StatusUnauthorized, 100, nil, `{"message":"Unauthenticated."}`),
			wantErr: ErrUnauthorized, wantLogins: 2, wantCalls: 2},
		{name: "get: login answers 500", op: "get",
			login:   func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 500, `{"message":"Server Error"}`) },
			wantErr: ErrServiceUnavailable, notErr: ErrUnauthorized, wantLogins: 1, wantCalls: 0},
		{name: "get: login answers an HTML page", op: "get",
			login: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				_, _ = io.WriteString(w, htmlPage)
			},
			wantErr: ErrMalformedResponse, notErr: ErrUnauthorized, wantLogins: 1, wantCalls: 0},
		{name: "get: login answers an empty bearer", op: "get",
			login:   func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, `{"bearer":""}`) },
			wantErr: ErrMalformedResponse, notErr: ErrUnauthorized, wantLogins: 1, wantCalls: 0},
		{name: "get: login answers a bearer that is not a JWT", op: "get",
			login: func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, `{"bearer":"opaque-token-123"}`) },
			handler: func(_ *faultEnv, w http.ResponseWriter, r *http.Request, _ int) {
				if r.Header.Get("Authorization") != "Bearer opaque-token-123" {
					writeJSON(w, http.StatusUnauthorized, `{"message":"Unauthenticated."}`)
					return
				}
				writeSuccess("get", w)
			},
			wantLogins: 1, wantCalls: 1},

		// Rate limits and Retry-After. The service's 429 refuses a duplicate of a request it is
		// still handling: a send is never repeated after it (that would deliver a second
		// code once the first is done), a GET is.
		{name: "send: 429 Retry-After 1, not repeated", op: "send",
			handler: statusThen(http.StatusTooManyRequests, 1, map[string]string{"Retry-After": "1"}, `{"message":"Too many duplicate request detected"}`),
			wantErr: ErrRateLimited, wantLogins: 1, wantCalls: 1,
			check: func(t *testing.T, e *faultEnv, _ *Authentication, err error) {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, time.Second, apiErr.RetryAfter)
				assert.Empty(t, e.recordedWaits())
			}},
		{name: "get: 429 Retry-After 1", op: "get",
			handler:    statusThen(http.StatusTooManyRequests, 1, map[string]string{"Retry-After": "1"}, `{"message":"Too many duplicate request detected"}`),
			wantLogins: 1, wantCalls: 2,
			check: func(t *testing.T, e *faultEnv, _ *Authentication, _ error) {
				assert.Equal(t, []time.Duration{time.Second}, e.recordedWaits())
			}},
		{name: "get: 429 Retry-After 0, at least the backoff", op: "get",
			handler:    statusThen(http.StatusTooManyRequests, 2, map[string]string{"Retry-After": "0"}, `{"message":"Too many duplicate request detected"}`),
			wantLogins: 1, wantCalls: 3,
			check: func(t *testing.T, e *faultEnv, _ *Authentication, _ error) {
				// base 100ms, jitter 0.5: ¾ of 100ms, then ¾ of 200ms, as without Retry-After.
				assert.Equal(t, []time.Duration{75 * time.Millisecond, 150 * time.Millisecond}, e.recordedWaits())
			}},
		{name: "get: 429 Retry-After as an HTTP date", op: "get",
			handler: func(e *faultEnv, w http.ResponseWriter, r *http.Request, n int) {
				h := map[string]string{"Retry-After": time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)}
				statusThen(http.StatusTooManyRequests, 1, h, `{"message":"Too many duplicate request detected"}`)(e, w, r, n)
			},
			wantLogins: 1, wantCalls: 2,
			check: func(t *testing.T, e *faultEnv, _ *Authentication, _ error) {
				waits := e.recordedWaits()
				require.Len(t, waits, 1)
				assert.Greater(t, waits[0], time.Duration(0))
				assert.LessOrEqual(t, waits[0], 2*time.Second)
			}},
		{name: "send: 429 Retry-After above the cap", op: "send",
			handler: statusThen(http.StatusTooManyRequests, 100, map[string]string{"Retry-After": "3600"}, `{"message":"Too many duplicate request detected"}`),
			wantErr: ErrRateLimited, wantLogins: 1, wantCalls: 1,
			check: func(t *testing.T, e *faultEnv, _ *Authentication, err error) {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, time.Hour, apiErr.RetryAfter)
				assert.Empty(t, e.recordedWaits())
			}},
		{name: "send: 429 without Retry-After, not repeated", op: "send",
			handler: statusThen(http.StatusTooManyRequests, 100, nil, `{"message":"Too many duplicate request detected"}`),
			wantErr: ErrRateLimited, wantLogins: 1, wantCalls: 1,
			check: func(t *testing.T, e *faultEnv, _ *Authentication, _ error) { assert.Empty(t, e.recordedWaits()) }},
		{name: "get: 429 without Retry-After, backoff", op: "get",
			handler: statusThen(http.StatusTooManyRequests, 100, nil, `{"message":"Too many duplicate request detected"}`),
			wantErr: ErrRateLimited, wantLogins: 1, wantCalls: 3,
			check: func(t *testing.T, e *faultEnv, _ *Authentication, _ error) {
				// base 100ms, jitter 0.5: ¾ of 100ms, then ¾ of 200ms.
				assert.Equal(t, []time.Duration{75 * time.Millisecond, 150 * time.Millisecond}, e.recordedWaits())
			}},

		// 5xx bursts.
		{name: "get: 503, 503, 200", op: "get",
			handler:    statusThen(http.StatusServiceUnavailable, 2, nil, `{"message":"Service Unavailable"}`),
			wantLogins: 1, wantCalls: 3},
		{name: "get: 503 three times", op: "get",
			handler: statusThen(http.StatusServiceUnavailable, 100, nil, `{"message":"Service Unavailable"}`),
			wantErr: ErrServiceUnavailable, wantLogins: 1, wantCalls: 3, check: isAPIStatus(503)},
		{name: "send: 502 HTML page", op: "send",
			handler: func(_ *faultEnv, w http.ResponseWriter, _ *http.Request, _ int) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = io.WriteString(w, htmlPage)
			},
			wantErr: ErrServiceUnavailable, wantLogins: 1, wantCalls: 1, check: isAPIStatus(502)},
		{name: "send: 500 then it would succeed", op: "send",
			handler: statusThen(http.StatusInternalServerError, 1, nil, `{"message":"2FA Service error."}`),
			wantErr: ErrServiceUnavailable, wantLogins: 1, wantCalls: 1, check: isAPIStatus(500)},
		{name: "send: 504", op: "send",
			handler: statusThen(http.StatusGatewayTimeout, 1, nil, ``),
			wantErr: ErrServiceUnavailable, wantLogins: 1, wantCalls: 1},

		// Waits and the context.
		{name: "get: context cancelled during backoff", op: "get", realWaits: true,
			client: func(c *Client) { c.retry.base, c.retry.max = time.Hour, time.Hour },
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(50*time.Millisecond, cancel)
				return ctx, cancel
			},
			handler: statusThen(http.StatusServiceUnavailable, 100, nil, `{"message":"Service Unavailable"}`),
			wantErr: context.Canceled, wantLogins: 1, wantCalls: 1},
		{name: "send: deadline before the Retry-After ends", op: "send", realWaits: true,
			ctx:     withDeadline(5 * time.Second),
			handler: statusThen(http.StatusTooManyRequests, 100, map[string]string{"Retry-After": "25"}, `{"message":"Too many duplicate request detected"}`),
			wantErr: ErrRateLimited, notErr: context.DeadlineExceeded, wantLogins: 1, wantCalls: 1,
			check: func(t *testing.T, _ *faultEnv, _ *Authentication, err error) {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, 25*time.Second, apiErr.RetryAfter)
			}},

		// Bad 2xx answers: a typed error with the status, never repeated.
		{name: "get: 200 with an empty body", op: "get", handler: ok200("application/json", ""),
			wantErr: ErrMalformedResponse, wantLogins: 1, wantCalls: 1},
		{name: "get: 200 with truncated JSON", op: "get", handler: ok200("application/json", statusBody[:len(statusBody)/2]),
			wantErr: ErrMalformedResponse, wantLogins: 1, wantCalls: 1},
		{name: "get: 200 with null data", op: "get", handler: ok200("application/json", `{"data":null}`),
			wantErr: ErrMalformedResponse, wantLogins: 1, wantCalls: 1},
		// PHP's default header and proxies: a JSON body is read whatever the header says.
		{name: "get: 200 JSON as text/html", op: "get", handler: ok200("text/html; charset=UTF-8", statusBody),
			wantLogins: 1, wantCalls: 1},
		{name: "get: 200 JSON as text/plain", op: "get", handler: ok200("text/plain; charset=utf-8", statusBody),
			wantLogins: 1, wantCalls: 1},
		{name: "get: 200 HTML page", op: "get", handler: ok200("text/html; charset=UTF-8", htmlPage),
			wantErr: ErrMalformedResponse, wantLogins: 1, wantCalls: 1},
		{name: "get: 200 for another session", op: "get", handler: ok200("application/json", sendBody),
			wantErr: ErrMalformedResponse, wantLogins: 1, wantCalls: 1},
		{name: "get: 200 with a wrong field type", op: "get",
			handler: ok200("application/json", strings.Replace(statusBody, `"code_digits":6`, `"code_digits":"six"`, 1)),
			wantErr: ErrMalformedResponse, wantLogins: 1, wantCalls: 1,
			check: func(t *testing.T, _ *faultEnv, _ *Authentication, err error) {
				var re *ResponseError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, http.StatusOK, re.StatusCode)
				assert.True(t, strings.HasPrefix(re.Snippet, `{"data"`), re.Snippet)
			}},
		{name: "get: unknown enum values and fields", op: "get", handler: ok200("application/json", unknownValues),
			wantLogins: 1, wantCalls: 1,
			check: func(t *testing.T, _ *faultEnv, a *Authentication, _ error) {
				assert.Equal(t, Status("on_hold"), a.Status)
				assert.Equal(t, Channel("RCS"), a.Channel)
				require.Len(t, a.Messages, 1)
				assert.Equal(t, MessageStatus("queued"), a.Messages[0].Status)
				assert.Equal(t, "ea5db413-e368-4952-b745-cc2030210c49", a.ID)
			}},

		// Size.
		{name: "get: endless body", op: "get", opts: []Option{WithMaxResponseBytes(faultLimit)},
			handler: func(e *faultEnv, w http.ResponseWriter, _ *http.Request, _ int) {
				w.Header().Set("Content-Type", "application/json")
				chunk := []byte(strings.Repeat(" ", 32<<10))
				_, _ = io.WriteString(w, `{"data":`)
				for {
					if _, err := w.Write(chunk); err != nil {
						e.serverWriteErr.Store(true)
						return
					}
				}
			},
			wantErr: ErrResponseTooLarge, wantLogins: 1, wantCalls: 1,
			check: func(t *testing.T, e *faultEnv, _ *Authentication, _ error) {
				assert.Eventually(t, e.serverWriteErr.Load, 5*time.Second, 5*time.Millisecond,
					"the client hung up instead of reading on")
			}},
		{name: "get: declared length over the limit", op: "get", opts: []Option{WithMaxResponseBytes(faultLimit)},
			handler: func(_ *faultEnv, w http.ResponseWriter, _ *http.Request, _ int) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", strconv.Itoa(faultLimit+1))
				_, _ = io.WriteString(w, strings.Repeat(" ", faultLimit+1))
			},
			wantErr: ErrResponseTooLarge, wantLogins: 1, wantCalls: 1},
		{name: "get: gzip-encoded answer", op: "get",
			handler: func(_ *faultEnv, w http.ResponseWriter, r *http.Request, _ int) {
				if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
					writeSuccess("get", w)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Encoding", "gzip")
				_, _ = w.Write(gzipped(statusBody))
			},
			wantLogins: 1, wantCalls: 1},
		{name: "get: gzip bomb", op: "get", opts: []Option{WithMaxResponseBytes(faultLimit)},
			handler: func(_ *faultEnv, w http.ResponseWriter, _ *http.Request, _ int) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Encoding", "gzip")
				w.Header().Set("Content-Length", strconv.Itoa(len(bomb)))
				_, _ = w.Write(bomb)
			},
			wantErr: ErrResponseTooLarge, wantLogins: 1, wantCalls: 1},

		// Redirects: the default client follows none; a caller's client that does never takes
		// the bearer to another host.
		{name: "send: 307 to another host, default client", op: "send",
			handler: func(e *faultEnv, w http.ResponseWriter, r *http.Request, _ int) {
				http.Redirect(w, r, e.other.URL+r.URL.Path, http.StatusTemporaryRedirect)
			},
			wantErr: &APIError{}, wantLogins: 1, wantCalls: 1,
			check: func(t *testing.T, e *faultEnv, _ *Authentication, err error) {
				isAPIStatus(http.StatusTemporaryRedirect)(t, e, nil, err)
				assert.Zero(t, e.otherCalls.Load(), "the send is not repeated elsewhere")
			}},
		{name: "get: 302 to another host, caller's client follows", op: "get", follow: true,
			handler: func(e *faultEnv, w http.ResponseWriter, r *http.Request, _ int) {
				http.Redirect(w, r, e.other.URL+r.URL.Path, http.StatusFound)
			},
			wantLogins: 1, wantCalls: 1,
			check: func(t *testing.T, e *faultEnv, _ *Authentication, _ error) {
				assert.Equal(t, int32(1), e.otherCalls.Load())
				assert.Equal(t, "", e.otherAuth.Load(), "no bearer sent to another host")
			}},
	}
	require.GreaterOrEqual(t, len(faults), 25)

	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			runFault(t, f)
			// Nothing may be left running: close both ends and wait for them to wind down.
			deadline := time.Now().Add(5 * time.Second)
			n := runtime.NumGoroutine()
			for n > before && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
				n = runtime.NumGoroutine()
			}
			assert.LessOrEqual(t, n, before, "goroutines left behind")
		})
	}
}

// runFault runs one row and checks its outcome; when it returns, the servers are closed and
// the client's idle connections too.
func runFault(t *testing.T, f fault) {
	t.Helper()
	e := &faultEnv{release: make(chan struct{})}
	e.otherAuth.Store("unset")

	other := http.NewServeMux()
	other.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		e.otherCalls.Add(1)
		e.otherAuth.Store(r.Header.Get("Authorization"))
		if f.other != nil {
			f.other(w, r)
			return
		}
		writeSuccess(opOf(r), w)
	})
	// Another host by name: Go keeps the Authorization header on a redirect to the same host
	// name on another port, so the other server is reached as "localhost".
	e.other = httptest.NewServer(other)
	e.other.URL = strings.Replace(e.other.URL, "127.0.0.1", "localhost", 1)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth/login", func(w http.ResponseWriter, r *http.Request) {
		e.logins.Add(1)
		if f.login != nil {
			f.login(w, r)
			return
		}
		now := time.Now()
		writeJSON(w, http.StatusOK, `{"bearer":"`+testkit.JWTAt(now, now.Add(time.Hour))+`"}`)
	})
	target := func(w http.ResponseWriter, r *http.Request) {
		n := int(e.calls.Add(1))
		if f.handler != nil {
			f.handler(e, w, r, n)
			return
		}
		writeSuccess(f.op, w)
	}
	mux.HandleFunc("POST /api/2fa/authentications/otp", target)
	mux.HandleFunc("GET /api/2fa/authentications/{id}", target)
	e.srv = httptest.NewServer(mux)

	// A closed port: connections to it are refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedAddr := ln.Addr().String()
	require.NoError(t, ln.Close())

	timeout := f.timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	hc := defaultHTTPClient(timeout)
	tr := hc.Transport.(*http.Transport)
	tr.DisableKeepAlives = f.noKeepAlive
	dialer := &net.Dialer{}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if n := e.dials.Add(1); f.refuse != nil && f.refuse(n) {
			addr = closedAddr
		}
		return dialer.DialContext(ctx, network, addr)
	}
	if f.follow {
		hc.CheckRedirect = nil
	}
	c, err := New(testAPIKey, append([]Option{WithBaseURL(e.srv.URL), WithHTTPClient(hc)}, f.opts...)...)
	require.NoError(t, err)
	c.retry.base, c.retry.max = 100*time.Millisecond, time.Second
	c.jitter = func() float64 { return 0.5 }
	c.sleep = func(ctx context.Context, d time.Duration) error {
		e.mu.Lock()
		e.waits = append(e.waits, d)
		e.mu.Unlock()
		if f.realWaits {
			return wait(ctx, d)
		}
		return wait(ctx, min(d, time.Millisecond))
	}
	if f.client != nil {
		f.client(c)
	}

	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	if f.ctx != nil {
		ctx, cancel = f.ctx()
	}
	var a *Authentication
	start := time.Now()
	if f.op == "send" {
		a, err = c.SendOTP(ctx, sendReq)
	} else {
		a, err = c.GetAuthentication(ctx, statusID)
	}
	elapsed := time.Since(start)
	cancel()

	if f.wantErr == nil {
		require.NoError(t, err)
		require.NotNil(t, a)
		assert.NotEmpty(t, a.ID)
	} else {
		require.Error(t, err)
		assert.Nil(t, a)
		if target, ok := f.wantErr.(*APIError); ok {
			assert.ErrorAs(t, err, &target)
		} else {
			assert.ErrorIs(t, err, f.wantErr)
		}
	}
	if f.notErr != nil {
		assert.NotErrorIs(t, err, f.notErr)
	}
	// A hang shows here as a failure rather than as a stuck test: no row waits for long.
	assert.Less(t, elapsed, 5*time.Second, "the call returned promptly")
	assert.Equal(t, f.wantLogins, e.logins.Load(), "logins")
	assert.Equal(t, f.wantCalls, e.calls.Load(), "requests of the operation")
	if f.check != nil {
		f.check(t, e, a, err)
	}

	close(e.release)
	e.srv.Close()
	e.other.Close()
	hc.CloseIdleConnections()
}
