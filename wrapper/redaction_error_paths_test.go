package wrapper

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
)

// echoBody is an answer that repeats everything the request carried: its Authorization
// header and its body (the API key of a login, the code of a verify, the recipient of a send),
// in the message, in the error list and as a field name.
func echoBody(r *http.Request) string {
	in, _ := io.ReadAll(r.Body)
	auth := r.Header.Get("Authorization")
	b, _ := json.Marshal(map[string]any{
		"message": "you sent " + auth + " with " + string(in) + " to " + r.URL.String(),
		"errors": map[string][]string{
			string(in): {auth},
			"field":    {string(in), r.URL.RawQuery},
		},
	})
	return string(b)
}

// TestRedactionOnErrorPaths runs every operation, with a debug logger, against services that
// fail in each way an answer can carry the request back (an error body echoing it, a 2xx
// that cannot be decoded, retries, dropped connections, a failing login), and checks that no
// returned value, printed in any way, and no log line holds the API key, the bearer or the
// code, and that logs hold no unmasked recipient.
func TestRedactionOnErrorPaths(t *testing.T) {
	// A code that no clock reading, port or pointer can hold by chance, checked as a token.
	const (
		code      = leakCode
		recipient = "380979965073"
	)
	behaviours := []struct {
		name  string
		login func(w http.ResponseWriter, r *http.Request) bool // true: answered
		api   func(w http.ResponseWriter, r *http.Request, n int)
	}{
		{"422 echoing the request", nil, func(w http.ResponseWriter, r *http.Request, _ int) {
			writeJSON(w, http.StatusUnprocessableEntity, echoBody(r))
		}},
		{"404 echoing the request", nil, func(w http.ResponseWriter, r *http.Request, _ int) {
			writeJSON(w, http.StatusNotFound, echoBody(r))
		}},
		{"2xx that cannot be decoded, echoing the request", nil, func(w http.ResponseWriter, r *http.Request, _ int) {
			writeJSON(w, http.StatusOK, `{"data":{"id":5,"echo":`+echoBody(r)+`}}`)
		}},
		{"2xx text echoing the request", nil, func(w http.ResponseWriter, r *http.Request, _ int) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, echoBody(r))
		}},
		{"429 then 503 echoing, retried", nil, func(w http.ResponseWriter, r *http.Request, n int) {
			status := http.StatusServiceUnavailable
			if n%2 == 1 {
				status = http.StatusTooManyRequests
				w.Header().Set("Retry-After", "0")
			}
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, "<html>"+echoBody(r)+"</html>")
		}},
		{"connection dropped", nil, func(w http.ResponseWriter, _ *http.Request, _ int) {
			rawThenClose(w, "")
		}},
		{"connection dropped mid-body", nil, func(w http.ResponseWriter, r *http.Request, _ int) {
			resetMidBody(opOf(r), w)
		}},
		{"login refused, echoing the key", func(w http.ResponseWriter, r *http.Request) bool {
			writeJSON(w, http.StatusUnprocessableEntity, echoBody(r))
			return true
		}, nil},
		{"login fails with 500, echoing the key", func(w http.ResponseWriter, r *http.Request) bool {
			writeJSON(w, http.StatusInternalServerError, echoBody(r))
			return true
		}, nil},
		{"login answers a page echoing the key", func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, echoBody(r))
			return true
		}, nil},
	}

	for _, bh := range behaviours {
		t.Run(bh.name, func(t *testing.T) {
			var mu sync.Mutex
			var bearers []string
			counts := map[string]int{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/api/auth/login" || r.URL.Path == "/api/auth/refresh" {
					if bh.login != nil && bh.login(w, r) {
						return
					}
					now := time.Now()
					b := testkit.JWTAt(now, now.Add(time.Hour))
					mu.Lock()
					bearers = append(bearers, b)
					mu.Unlock()
					writeJSON(w, http.StatusOK, `{"bearer":"`+b+`"}`)
					return
				}
				mu.Lock()
				counts[r.Method+r.URL.Path]++
				n := counts[r.Method+r.URL.Path]
				mu.Unlock()
				bh.api(w, r, n)
			}))
			defer srv.Close()

			var logs testkit.SyncBuffer
			logger := debugLogger(&logs)
			c, err := New(testAPIKey, WithBaseURL(srv.URL), WithLogger(logger))
			require.NoError(t, err)
			fastRetries(c)

			values := runEveryOperation(c, code, recipient)
			require.NotEmpty(t, logs.String())

			var printed strings.Builder
			errorsSeen := 0
			for _, v := range values {
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
					fmt.Fprintf(&printed, verb+"\n", v)
				}
				if err, ok := v.(error); ok {
					errorsSeen++
					printed.WriteString(err.Error())
				}
			}
			assert.Equal(t, len(values), errorsSeen, "every operation failed")

			mu.Lock()
			secrets := []string{testAPIKey, code}
			for _, b := range bearers {
				secrets = append(secrets, b, b[strings.LastIndexByte(b, '.')+1:])
			}
			mu.Unlock()
			for _, s := range secrets {
				assertNoSecret(t, "the logs", logs.String(), s)
				assertNoSecret(t, "an error", printed.String(), s)
			}
			assert.False(t, containsSecret(logs.String(), recipient), "recipients are masked in logs")
		})
	}
}

// runEveryOperation calls every operation of c once (the iterators until their first error)
// and returns the errors.
func runEveryOperation(c *Client, code, recipient string) []any {
	ctx := context.Background()
	var out []any
	keep := func(_ any, err error) {
		if err != nil {
			out = append(out, err)
		}
	}
	list := ListAuthenticationsRequest{From: utc("2023-01-01 00:00:00"), To: utc("2023-01-31 00:00:00"), Recipient: recipient}
	keep(c.SendOTP(ctx, SendOTPRequest{Recipient: "+" + recipient, Channel: ChannelSMS, Sender: "SHOP", TemplateID: 12}))
	keep(c.ResendOTP(ctx, "s1"))
	keep(c.VerifyOTP(ctx, "s1", code))
	keep(c.CancelOTP(ctx, "s1"))
	keep(c.GetAuthentication(ctx, statusID))
	keep(c.ListAuthenticationsPage(ctx, list))
	for _, err := range c.ListAuthentications(ctx, list) {
		keep(nil, err)
	}
	keep(c.CreateTemplate(ctx, CreateTemplateRequest{Name: "template name", Text: "test code is {code2fa}", Countries: []string{"UA"}}))
	keep(c.GetTemplate(ctx, 515))
	keep(nil, c.DeleteTemplate(ctx, 515))
	keep(c.ListTemplatesPage(ctx, ListTemplatesRequest{}))
	for _, err := range c.ListTemplates(ctx, ListTemplatesRequest{}) {
		keep(nil, err)
	}
	return out
}

// containsSecret reports whether s holds secret. A secret made of digits (a code) counts
// only as a whole run of digits, so that a code cannot be "found" inside an unrelated longer
// number; any other secret counts wherever it occurs.
func containsSecret(s, secret string) bool {
	if secret == "" {
		return false
	}
	if strings.Trim(secret, "0123456789") != "" {
		return strings.Contains(s, secret)
	}
	for i := 0; ; {
		j := strings.Index(s[i:], secret)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(secret)
		if (start == 0 || !isDigit(s[start-1])) && (end == len(s) || !isDigit(s[end])) {
			return true
		}
		i = start + 1
	}
}

// assertNoSecret fails the test, showing where, when text holds secret (see containsSecret).
func assertNoSecret(t *testing.T, where, text, secret string) {
	t.Helper()
	if !containsSecret(text, secret) {
		return
	}
	i := strings.Index(text, secret)
	t.Errorf("a secret in %s: …%s…", where, text[max(0, i-200):min(len(text), i+len(secret)+50)])
}

func TestContainsSecret(t *testing.T) {
	assert.True(t, containsSecret("code 007340291 sent", "007340291"))
	assert.True(t, containsSecret("7340291", "7340291"))
	assert.True(t, containsSecret("a7340291b", "7340291"))
	assert.False(t, containsSecret("17340291", "7340291"))
	assert.False(t, containsSecret("73402912 and 97340291", "7340291"))
	assert.True(t, containsSecret("xx-opaque-bearer-yy", "opaque-bearer"))
	assert.False(t, containsSecret("anything", ""))
}

// printAll renders err every way a program may print it.
func printAll(err error) string {
	return fmt.Sprintf("%v|%+v|%#v|%s|%q|%s", err, err, err, err, err, err.Error())
}

// leakCode is a code with leading zeros: a service may echo it as the JSON number 7340291.
const (
	leakCode       = "007340291"
	leakCodeNumber = "7340291"
	opaqueBearer   = "opq-Bx7Q2kLm" // not a JWT, and shorter than the snippet's token rule
)

// TestSecretsOutOfEveryError covers the ways a secret reached an error value: a bearer that
// is not a JWT echoed in an unreadable 2xx body, a code echoed as a number without its
// leading zeros, and a transport error quoting what the server sent.
func TestSecretsOutOfEveryError(t *testing.T) {
	type echo func(w http.ResponseWriter, r *http.Request)
	tests := []struct {
		name   string
		answer echo
	}{
		{"unreadable 2xx echoing the bearer and the code", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"auth":"`+r.Header.Get("Authorization")+`","access_code":`+leakCodeNumber+`,"data":{"id":5}}`)
		}},
		{"422 echoing the code as a number", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusUnprocessableEntity, `{"message":"code `+leakCodeNumber+` refused for `+
				r.Header.Get("Authorization")+`","errors":{"access_code":["`+leakCodeNumber+` is not valid"]}}`)
		}},
		{"malformed status line echoing the bearer", func(w http.ResponseWriter, r *http.Request) {
			rawThenClose(w, "HTTP/1.1 "+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")+"\r\n\r\n")
		}},
		{"malformed status line echoing the code", func(w http.ResponseWriter, r *http.Request) {
			rawThenClose(w, "HTTP/1.1 "+leakCode+"\r\n\r\n")
		}},
		{"malformed response line echoing the code number", func(w http.ResponseWriter, r *http.Request) {
			rawThenClose(w, leakCodeNumber+"\r\n\r\n")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.HandleFunc("POST /api/2fa/authentications/otp/{id}/verify", tt.answer)
			mux.HandleFunc("GET /api/2fa/authentications/{id}", tt.answer)
			srv := httptest.NewServer(mux)
			defer srv.Close()
			var logs testkit.SyncBuffer
			logger := debugLogger(&logs)
			c, err := New("", WithToken(opaqueBearer), WithBaseURL(srv.URL), WithLogger(logger), WithMaxRetries(0))
			require.NoError(t, err)

			_, verifyErr := c.VerifyOTP(context.Background(), statusID, leakCode)
			require.Error(t, verifyErr)
			verifyLogs := logs.String()
			_, getErr := c.GetAuthentication(context.Background(), statusID)
			require.Error(t, getErr)
			// The code is a secret of the verify call; the bearer, of both.
			for _, s := range []string{opaqueBearer, leakCode, leakCodeNumber} {
				printed := printAll(verifyErr)
				assert.False(t, containsSecret(printed, s), "%q in %s", s, printed)
			}
			printed := printAll(getErr)
			assert.False(t, containsSecret(printed, opaqueBearer), "the bearer in %s", printed)
			assert.False(t, containsSecret(logs.String(), opaqueBearer), "the bearer in the logs %s", logs.String())
			for _, s := range []string{leakCode, leakCodeNumber} {
				assert.False(t, containsSecret(verifyLogs, s), "the code in the logs %s", verifyLogs)
			}
		})
	}
}

// debugLogger logs every line at debug level as JSON into logs, with the clock readings
// fixed (see stableLogAttrs).
func debugLogger(logs *testkit.SyncBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: stableLogAttrs}))
}

// stableLogAttrs gives the log attributes that carry clock readings (the time of the line,
// the duration of an exchange) fixed values, so that no digit of a secret can appear in them
// by chance.
func stableLogAttrs(_ []string, a slog.Attr) slog.Attr {
	switch a.Key {
	case slog.TimeKey, "duration":
		return slog.String(a.Key, "-")
	}
	return a
}

// TestBearerWithControlCharactersRefused: a bearer that cannot go into a header is refused
// at login as a malformed answer, instead of breaking every later call.
func TestBearerWithControlCharactersRefused(t *testing.T) {
	for _, bearer := range []string{`abc\u0000def`, `abc\tdef`, `abc\u007fdef`, `abc\u0085def`, `abc\r\ndef`, `\u0000`} {
		t.Run(bearer, func(t *testing.T) {
			f, srv := newAuthFake(t)
			f.login = func(int) (int, string) { return http.StatusOK, `{"bearer":"` + bearer + `"}` }
			c, _ := newAuthClient(t, srv, testAPIKey)
			err := get(c)
			require.ErrorIs(t, err, ErrMalformedResponse)
			assert.NotErrorIs(t, err, ErrUnauthorized)
			_, _, calls := f.counts()
			assert.Zero(t, calls, "no call is sent with a broken bearer")
		})
	}
	for _, bearer := range []string{"abc\x00def", "abc\tdef", "abc\x7fdef"} {
		_, err := New("", WithToken(bearer))
		assert.Error(t, err, "%q", bearer)
	}
}

// TestCutValuesHideTheStartOfASecret: a value the service echoes into a field is quoted in
// the decoding error cut at 40 bytes; when the cut falls inside a secret, what is left of the
// secret is replaced too.
func TestCutValuesHideTheStartOfASecret(t *testing.T) {
	bearer := testkit.JWTAt(time.Now(), time.Now().Add(time.Hour))
	for _, field := range []string{"created_at", "price"} {
		t.Run(field, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
				// The bearer starts 20 bytes into the value, so the 40-byte cut ends inside it.
				echo := "key=REDACTED bearer=" + bearer
				writeJSON(w, http.StatusOK, strings.Replace(statusBody, `"`+field+`":`, `"`+field+`":"`+echo+`","x_`+field+`":`, 1))
			})
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			c, err := New("", WithToken(bearer), WithBaseURL(srv.URL))
			require.NoError(t, err)
			_, err = c.GetAuthentication(context.Background(), statusID)
			require.ErrorIs(t, err, ErrMalformedResponse)
			text := fmt.Sprintf("%v %+v %#v", err, err, err)
			assert.Contains(t, text, "bearer="+redacted)
			assert.NotContains(t, text, bearer[:8], "no part of the bearer")
		})
	}
}

func TestScrubCutSecrets(t *testing.T) {
	const secret = "s3cr3t-value-of-some-length"
	tests := []struct {
		name, in, want string
	}{
		{name: "no ellipsis", in: `invalid "s3cr"`, want: `invalid "s3cr"`},
		{name: "quote then ellipsis", in: `invalid "x s3cr3t-va"…`, want: `invalid "x REDACTED"…`},
		{name: "ellipsis inside the quote", in: `id "x s3cr3t-v…"`, want: `id "x REDACTED…"`},
		{name: "two cuts", in: `"s3c"… and "s3cr3t"…`, want: `"REDACTED"… and "REDACTED"…`},
		{name: "under three bytes is left", in: `"xs3"…`, want: `"xs3"…`},
		{name: "unrelated tail", in: `"abcdef"…`, want: `"abcdef"…`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, scrubCutSecrets(tt.in, secret, "", "12"))
		})
	}
}
