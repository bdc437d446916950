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
	const (
		code      = "76928"
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
					b := makeJWT(now, now.Add(time.Hour))
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

			var logs syncBuffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
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
				if i := strings.Index(logs.String(), s); i >= 0 {
					t.Errorf("a secret in the logs: …%s…", logs.String()[max(0, i-200):min(len(logs.String()), i+50)])
				}
				if i := strings.Index(printed.String(), s); i >= 0 {
					t.Errorf("a secret in an error: …%s…", printed.String()[max(0, i-200):min(len(printed.String()), i+50)])
				}
			}
			assert.NotContains(t, logs.String(), recipient, "recipients are masked in logs")
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
	keep(c.GetAuthentication(ctx, "s1"))
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
