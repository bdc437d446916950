package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/phone"
	"github.com/go-bsg/bsg2fa/internal/testkit"
)

func TestRedaction(t *testing.T) {
	// The code is checked as a whole run of digits and has leading zeros and an odd last
	// digit, so that no timestamp, duration, port or pointer can hold it by chance (see
	// containsSecret and stableLogAttrs).
	const (
		code      = leakCode
		recipient = "380979965073"
	)
	bearer := testkit.JWTAt(time.Now(), time.Now().Add(time.Hour))
	refreshed := testkit.JWTAt(time.Now(), time.Now().Add(2*time.Hour))
	secrets := []string{testAPIKey, bearer, refreshed, strings.Split(bearer, ".")[2], code}

	mux := http.NewServeMux()
	logins := 0
	mux.HandleFunc("POST /api/auth/login", func(w http.ResponseWriter, r *http.Request) {
		logins++
		writeJSON(w, http.StatusOK, `{"bearer":"`+bearer+`"}`)
	})
	mux.HandleFunc("POST /api/auth/refresh", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"bearer":"`+refreshed+`"}`)
	})
	mux.HandleFunc("POST /api/2fa/authentications/otp", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusCreated, sendBody)
	})
	mux.HandleFunc("POST /api/2fa/authentications/otp/{id}/resend", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, sendBody)
	})
	mux.HandleFunc("POST /api/2fa/authentications/otp/{id}/verify", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		if r.PathValue("id") == "wrong" {
			// A service that echoes what it was sent, token included.
			writeJSON(w, http.StatusNotFound, `{"message":"code `+code+` for `+bearer+` does not match","errors":[{"message":"The code does not match the expected value"}]}`)
			return
		}
		if r.PathValue("id") == "garbage" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"data": "` + bearer + `"`))
			return
		}
		writeJSON(w, http.StatusOK, statusBody)
	})
	mux.HandleFunc("POST /api/2fa/authentications/{id}/cancel", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, canceledBody)
	})
	unauthorizedOnce := true
	mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
		if unauthorizedOnce {
			unauthorizedOnce = false
			writeJSON(w, http.StatusUnauthorized, `{"message":"Unauthenticated."}`)
			return
		}
		writeJSON(w, http.StatusOK, statusBody)
	})
	mux.HandleFunc("GET /api/2fa/authentications", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"data":{"list":[`+authenticationJSON("a1")+`],"total":1}}`)
	})
	mux.HandleFunc("POST /api/2fa/authentications/templates", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, templateBody)
	})
	mux.HandleFunc("GET /api/2fa/authentications/templates", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, templateListBody)
	})
	mux.HandleFunc("GET /api/2fa/authentications/templates/{templateId}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, templateBody)
	})
	mux.HandleFunc("DELETE /api/2fa/authentications/templates/{templateId}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, deleteBody)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var logs testkit.SyncBuffer
	logger := debugLogger(&logs)
	c, err := New(testAPIKey, WithBaseURL(srv.URL), WithLogger(logger))
	require.NoError(t, err)
	fastRetries(c)
	clock := testkit.NewClockAt(time.Now())
	c.auth.now = clock.Now

	ctx := context.Background()
	var values []any // everything returned, to print afterwards
	keep := func(v any, err error) {
		values = append(values, v)
		if err != nil {
			values = append(values, err)
		}
	}
	keep(c.SendOTP(ctx, SendOTPRequest{Recipient: "+" + recipient, Channel: ChannelSMS, Sender: "SHOP", TemplateID: 12}))
	keep(c.ResendOTP(ctx, "s1"))
	keep(c.VerifyOTP(ctx, "s1", code))
	keep(c.VerifyOTP(ctx, "wrong", code))
	keep(c.VerifyOTP(ctx, "garbage", code))
	keep(c.VerifyOTP(ctx, "s1", code+"x"))
	keep(c.CancelOTP(ctx, "s1"))
	keep(c.GetAuthentication(ctx, statusID)) // 401, re-login, repeat
	clock.Advance(55 * time.Minute)          // refresh due
	keep(c.ListAuthenticationsPage(ctx, listReq))
	for a, err := range c.ListAuthentications(ctx, listReq) {
		keep(a, err)
	}
	keep(c.CreateTemplate(ctx, CreateTemplateRequest{Name: "template name", Text: "test code is {code2fa}", Countries: []string{"UA"}}))
	keep(c.GetTemplate(ctx, 515))
	keep(c.ListTemplatesPage(ctx, ListTemplatesRequest{}))
	for tpl, err := range c.ListTemplates(ctx, ListTemplatesRequest{}) {
		keep(tpl, err)
	}
	keep(nil, c.DeleteTemplate(ctx, 515))
	values = append(values, c, *c, c.auth.apiKey)

	// A failed login with a key the service echoes back.
	bad, err := New(testAPIKey, WithBaseURL(srv.URL+"/nowhere"), WithLogger(logger), WithMaxRetries(0))
	require.NoError(t, err)
	keep(bad.GetAuthentication(ctx, statusID))

	require.Equal(t, 2, logins, "first login and the one after the 401")
	require.NotEmpty(t, logs.String())
	var printed strings.Builder
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			fmt.Fprintf(&printed, verb+"\n", v)
		}
		if err, ok := v.(error); ok {
			printed.WriteString(err.Error())
		}
		if b, err := json.Marshal(v); err == nil {
			printed.Write(b)
		}
	}
	slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: stableLogAttrs})).
		Debug("values", "client", c, "key", c.auth.apiKey)

	for _, s := range secrets {
		assertNoSecret(t, "the logs", logs.String(), s)
		assertNoSecret(t, "printed values", printed.String(), s)
	}
	assert.False(t, containsSecret(logs.String(), recipient), "recipients are masked in logs")
	assert.Contains(t, logs.String(), phone.Mask(recipient))
	assert.Contains(t, logs.String(), `"path":"/api/2fa/authentications/otp/{id}/verify"`)
	assert.Contains(t, logs.String(), `"attempt":1`)
	assert.Contains(t, logs.String(), `"status":401`)
	assert.Contains(t, printed.String(), "REDACTED")
}

func TestSecretFormatting(t *testing.T) {
	s := secret("hunter2-very-secret")
	type holder struct {
		Key secret
		Ptr *secret
	}
	h := holder{Key: s, Ptr: &s}
	var out strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s"} {
		fmt.Fprintf(&out, verb+"|", s)
		fmt.Fprintf(&out, verb+"|", h)
	}
	j, err := json.Marshal(h)
	require.NoError(t, err)
	out.Write(j)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "key", s, "holder", h)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "key", s)
	out.Write(logs.Bytes())
	assert.NotContains(t, out.String(), "hunter2")
	assert.Contains(t, out.String(), "REDACTED")
	assert.Equal(t, "hunter2-very-secret", s.reveal())
}
