package wrapper_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/api"
	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// Answers of the contract server, one per operation: documented bodies.
var contractAnswers = map[string]struct {
	status int
	body   string
}{
	"sendOtp":             {http.StatusCreated, contractSession},
	"resendOtp":           {http.StatusOK, contractSession},
	"verifyOtp":           {http.StatusOK, contractVerified},
	"cancelOtp":           {http.StatusOK, contractSession},
	"getAuthentication":   {http.StatusOK, contractSession},
	"listAuthentications": {http.StatusOK, `{"data":{"list":[` + contractSessionData + `],"total":1}}`},
	"createTemplate":      {http.StatusOK, contractTemplate},
	"getTemplate":         {http.StatusOK, contractTemplate},
	"deleteTemplate":      {http.StatusOK, `{"data":{"status":"Successfully removed"}}`},
	"listTemplates":       {http.StatusOK, `{"data":[{"template_id":"49","name":"Default","status":"approved"}],"total":1}`},
}

const (
	contractSessionData = `{"id":"bf4381c8-9d4a-4705-bd28-f89a830b7f96","recipient":"380979965073","status":"pending",
"channel":"sms","sender":"SENDER","sender_alt":null,"code_lifetime":300,"code_max_tries":3,"code_digits":5,
"price":"0,02","currency":"USD","country_code":"UA","expired_at":"2023-01-04 18:37:06",
"created_at":"2023-01-04 17:37:06","finished_at":null}`
	contractSession  = `{"data":` + contractSessionData + `}`
	contractVerified = `{"data":{"id":"bf4381c8-9d4a-4705-bd28-f89a830b7f96","recipient":"380979965073","status":"verified",
"channel":"sms","sender":"SENDER","sender_alt":null,"code_lifetime":300,"code_max_tries":3,"code_digits":5,
"price":"0,02","currency":"USD","country_code":"UA","expired_at":"2023-01-04 18:37:06",
"created_at":"2023-01-04 17:37:06","finished_at":"2023-01-04 17:38:06"}}`
	contractTemplate = `{"data":{"template_id":515,"name":"template name","text":"test code is {code2fa}",
"countries":["AD","IT","PT","UA"],"status":"requested","updated_at":"2023-06-30 14:52:58"}}`
)

// TestContract checks every request the client sends, for all twelve operations, against
// api/bsg-2fa.yaml: path, method, parameters, body and authorisation.
func TestContract(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.Spec)
	require.NoError(t, err)

	var (
		mu       sync.Mutex
		seen     = map[string]int{}
		failures []string
	)
	var validate func(r *http.Request) (string, error)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, err := validate(r)
		mu.Lock()
		seen[op]++
		if err != nil {
			failures = append(failures, r.Method+" "+r.URL.String()+": "+err.Error())
		}
		mu.Unlock()
		if err != nil {
			w.WriteHeader(http.StatusTeapot)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if op == "login" || op == "refreshToken" {
			now := time.Now()
			_, _ = w.Write([]byte(`{"bearer":"` + testkit.JWTAt(now, now.Add(time.Hour)) + `"}`))
			return
		}
		a := contractAnswers[op]
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	}))
	defer srv.Close()

	doc.Servers = openapi3.Servers{{URL: srv.URL}}
	router, err := legacy.NewRouter(doc, openapi3.DisableExamplesValidation())
	require.NoError(t, err)
	opts := &openapi3filter.Options{
		MultiError: true,
		AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
			token, ok := strings.CutPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ")
			if in.SecuritySchemeName != "bearerAuth" || !ok || token == "" {
				return errors.New("no bearer")
			}
			return nil
		},
	}
	validate = func(r *http.Request) (string, error) {
		// A server sees a path only; the router matches full URLs against doc.Servers.
		r.URL.Scheme, r.URL.Host = "http", r.Host
		route, params, err := router.FindRoute(r)
		if err != nil {
			return "unrouted", err
		}
		return route.Operation.OperationID, openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
			Request: r, PathParams: params, Route: route, Options: opts,
		})
	}

	c, err := wrapper.New("live_contract_key", wrapper.WithBaseURL(srv.URL), wrapper.WithMaxRetries(0))
	require.NoError(t, err)
	now := time.Now()
	var clockMu sync.Mutex
	wrapper.SetClockForTest(c, func() time.Time {
		clockMu.Lock()
		defer clockMu.Unlock()
		return now
	})

	ctx := context.Background()
	const id = "bf4381c8-9d4a-4705-bd28-f89a830b7f96"
	from, to := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 1, 31, 23, 0, 0, 0, time.UTC)
	steps := []struct {
		name string
		run  func() error
	}{
		{"send sms", func() error {
			_, err := c.SendOTP(ctx, wrapper.SendOTPRequest{Recipient: "+61 401 629 754", Channel: wrapper.ChannelSMS, Sender: "SENDER", TemplateID: 12, CodeDigits: 5})
			return err
		}},
		{"send viber", func() error {
			_, err := c.SendOTP(ctx, wrapper.SendOTPRequest{Recipient: "61401629754", Channel: "Viber", Sender: "VIBER_NAME", SenderAlt: "SMS_SENDER",
				TemplateID: 999999999, CodeLifetime: 30 * time.Second, CodeMaxTries: 5, CodeDigits: 9})
			return err
		}},
		{"resend", func() error { _, err := c.ResendOTP(ctx, id); return err }},
		{"verify", func() error { _, err := c.VerifyOTP(ctx, id, "007692"); return err }},
		{"cancel", func() error { _, err := c.CancelOTP(ctx, id); return err }},
		{"get", func() error { _, err := c.GetAuthentication(ctx, id); return err }},
		{"list minimal", func() error {
			_, err := c.ListAuthenticationsPage(ctx, wrapper.ListAuthenticationsRequest{From: from, To: to})
			return err
		}},
		{"list every filter", func() error {
			_, err := c.ListAuthenticationsPage(ctx, wrapper.ListAuthenticationsRequest{
				From: from, To: to, Offset: 500, Limit: 500, IDs: []string{id, "x2", "x3"}, Status: wrapper.StatusCanceled,
				Channel: wrapper.ChannelViber, Recipient: "380979965073", CountryCode: "UA", SortBy: "finished_at", Order: wrapper.Desc,
			})
			return err
		}},
		{"iterate", func() error {
			for _, err := range c.ListAuthentications(ctx, wrapper.ListAuthenticationsRequest{From: from, To: to, Limit: 10}) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
		{"create template", func() error {
			_, err := c.CreateTemplate(ctx, wrapper.CreateTemplateRequest{Name: "template name", Text: "test code is {code2fa}", Countries: []string{"UA", "PT", "AD", "IT"}})
			return err
		}},
		{"get template", func() error { _, err := c.GetTemplate(ctx, 515); return err }},
		{"delete template", func() error { return c.DeleteTemplate(ctx, 999999999) }},
		{"list templates minimal", func() error { _, err := c.ListTemplatesPage(ctx, wrapper.ListTemplatesRequest{}); return err }},
		{"list templates every filter", func() error {
			_, err := c.ListTemplatesPage(ctx, wrapper.ListTemplatesRequest{Offset: 10, Limit: 10, IDs: []int{1, 49, 515},
				Status: wrapper.TemplateApproved, SortBy: "template_id", Order: wrapper.Asc})
			return err
		}},
		{"iterate templates", func() error {
			for _, err := range c.ListTemplates(ctx, wrapper.ListTemplatesRequest{}) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
		{"refresh", func() error {
			clockMu.Lock()
			now = now.Add(55 * time.Minute) // the bearer is due for refresh
			clockMu.Unlock()
			_, err := c.GetAuthentication(ctx, id)
			return err
		}},
	}
	for _, s := range steps {
		assert.NoError(t, s.run(), s.name)
	}

	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, failures, "requests that break the spec")
	for _, op := range []string{"login", "refreshToken", "sendOtp", "resendOtp", "verifyOtp", "cancelOtp", "getAuthentication",
		"listAuthentications", "createTemplate", "getTemplate", "deleteTemplate", "listTemplates"} {
		assert.Positive(t, seen[op], "operation %s was not exercised", op)
	}
	assert.Equal(t, 1, seen["login"])
	assert.Equal(t, 1, seen["refreshToken"])
	assert.Zero(t, seen["unrouted"])
}
