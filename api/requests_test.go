package api_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/gen"
)

func recipient(t *testing.T, phone string) gen.Recipient {
	t.Helper()
	var r gen.Recipient
	require.NoError(t, r.FromPhoneNumber(phone))
	return r
}

func templateID(t *testing.T, id int) gen.TemplateId {
	t.Helper()
	var v gen.TemplateId
	require.NoError(t, v.FromTemplateIdNumber(id))
	return v
}

func accessCode(t *testing.T, code string) gen.VerifyOtpRequest_AccessCode {
	t.Helper()
	var v gen.VerifyOtpRequest_AccessCode
	require.NoError(t, v.FromVerifyOtpRequestAccessCode0(code))
	return v
}

// smsOtp is a valid send request by SMS; cases change one field of it.
func smsOtp(t *testing.T) gen.SendOtpRequest {
	return gen.SendOtpRequest{
		Recipient:    recipient(t, "380979965073"),
		Channel:      "sms",
		Sender:       "SENDER",
		TemplateId:   templateID(t, 1),
		CodeLifetime: 300,
		CodeMaxTries: 3,
		CodeDigits:   5,
	}
}

// queryParams decodes params from JSON keyed by the literal query names. Building
// them this way keeps the tests independent of whether the generated structs hold
// optional parameters as values or as pointers.
func queryParams[T any](t *testing.T, js string) *T {
	t.Helper()
	var p T
	require.NoError(t, json.Unmarshal([]byte(js), &p))
	return &p
}

// authFilter sets every filter of the session list, then the overrides.
func authFilter(t *testing.T, overrides map[string]any) *gen.ListAuthenticationsParams {
	t.Helper()
	return queryParams[gen.ListAuthenticationsParams](t, withOverrides(t, map[string]any{
		"page[offset]":         20,
		"page[limit]":          50,
		"filter[from]":         "2022-12-01",
		"filter[to]":           "2022-12-31",
		"filter[ids]":          threeIDs,
		"filter[status]":       "verified",
		"filter[channel]":      "viber",
		"filter[recipient]":    "380979965073",
		"filter[country_code]": "UA",
		"way":                  "desc",
		"sort":                 "created_at",
	}, overrides))
}

// templateFilter sets every filter of the template list, then the overrides.
func templateFilter(t *testing.T, overrides map[string]any) *gen.ListTemplatesParams {
	t.Helper()
	return queryParams[gen.ListTemplatesParams](t, withOverrides(t, map[string]any{
		"page[offset]":   0,
		"page[limit]":    10,
		"filter[ids]":    []int{1, 49, exampleTemplateID},
		"filter[status]": "approved",
		"way":            "asc",
		"sort":           "template_id",
	}, overrides))
}

var threeIDs = []string{
	"bf4381c8-9d4a-4705-bd28-f89a830b7f96",
	"ea5db413-e368-4952-b745-cc2030210c49",
	"1ed32701-5d4f-6cfa-ba06-9db3aa8bab68",
}

func withOverrides(t *testing.T, base, overrides map[string]any) string {
	t.Helper()
	maps.Copy(base, overrides)
	b, err := json.Marshal(base)
	require.NoError(t, err)
	return string(b)
}

func validTemplate() gen.CreateTemplateRequest {
	return gen.CreateTemplateRequest{
		Name:      "template name",
		Countries: []gen.CountryCode{"UA", "PT", "AD", "IT"},
		Text:      "test code is {code2fa}",
	}
}

// TestClientRequests validates, against the spec, the requests the generated client
// builds for each of the twelve operations, and a few it must not get away with.
func TestClientRequests(t *testing.T) {
	doc := loadSpec(t)
	router := newRouter(t, doc)
	base := baseURL(doc)

	type build func(t *testing.T) (*http.Request, error)
	tests := []struct {
		name      string
		operation string
		bearer    bool
		build     build
		wantErr   string // empty: the request must validate; else a fragment of the error
	}{
		// login and refresh
		{"login", "login", false, func(t *testing.T) (*http.Request, error) {
			return gen.NewLoginRequest(base, gen.LoginRequest{ApiKey: "live_XXXXXXXXXXXXXXXXXXXX"})
		}, ""},
		{"login with an empty key", "login", false, func(t *testing.T) (*http.Request, error) {
			return gen.NewLoginRequest(base, gen.LoginRequest{})
		}, "api_key"},
		{"refresh", "refreshToken", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewRefreshTokenRequest(base)
		}, ""},
		{"refresh without a bearer", "refreshToken", false, func(t *testing.T) (*http.Request, error) {
			return gen.NewRefreshTokenRequest(base)
		}, "no bearer token"},

		// send
		{"send by sms", "sendOtp", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewSendOtpRequest(base, smsOtp(t))
		}, ""},
		{"send by Viber with an SMS fallback and a string template id", "sendOtp", true, func(t *testing.T) (*http.Request, error) {
			r := smsOtp(t)
			r.Channel = "Viber"
			r.Sender = "VIBER_NAME"
			r.SenderAlt = "SMS_SENDER"
			require.NoError(t, r.TemplateId.FromTemplateId1("12"))
			return gen.NewSendOtpRequest(base, r)
		}, ""},
		{"send to an integer recipient", "sendOtp", true, func(t *testing.T) (*http.Request, error) {
			r := smsOtp(t)
			require.NoError(t, r.Recipient.FromRecipient1(61401629754))
			return gen.NewSendOtpRequest(base, r)
		}, ""},
		{"send with limits at their edges", "sendOtp", true, func(t *testing.T) (*http.Request, error) {
			r := smsOtp(t)
			r.Sender = "123456789012345"
			r.CodeLifetime, r.CodeMaxTries, r.CodeDigits = 30, 1, 9
			r.TemplateId = templateID(t, 999999999)
			return gen.NewSendOtpRequest(base, r)
		}, ""},
		{"send with 12 code digits", "sendOtp", true, func(t *testing.T) (*http.Request, error) {
			r := smsOtp(t)
			r.CodeDigits = 12
			return gen.NewSendOtpRequest(base, r)
		}, "code_digits"},
		{"send by fax", "sendOtp", true, func(t *testing.T) (*http.Request, error) {
			r := smsOtp(t)
			r.Channel = "fax"
			return gen.NewSendOtpRequest(base, r)
		}, "channel"},
		{"send to a number with a plus", "sendOtp", true, func(t *testing.T) (*http.Request, error) {
			r := smsOtp(t)
			r.Recipient = recipient(t, "+380979965073")
			return gen.NewSendOtpRequest(base, r)
		}, "recipient"},
		{"send with a 12-character sender", "sendOtp", true, func(t *testing.T) (*http.Request, error) {
			r := smsOtp(t)
			r.Sender = "VIBER_SENDER"
			return gen.NewSendOtpRequest(base, r)
		}, "sender"},
		{"send with a 10-digit template id", "sendOtp", true, func(t *testing.T) (*http.Request, error) {
			r := smsOtp(t)
			require.NoError(t, r.TemplateId.FromTemplateId1("1234567890"))
			return gen.NewSendOtpRequest(base, r)
		}, "template_id"},
		{"send with a lifetime of 301 s", "sendOtp", true, func(t *testing.T) (*http.Request, error) {
			r := smsOtp(t)
			r.CodeLifetime = 301
			return gen.NewSendOtpRequest(base, r)
		}, "code_lifetime"},
		{"send without a bearer", "sendOtp", false, func(t *testing.T) (*http.Request, error) {
			return gen.NewSendOtpRequest(base, smsOtp(t))
		}, "no bearer token"},

		// resend, verify, cancel, status
		{"resend", "resendOtp", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewResendOtpRequest(base, exampleAuthID)
		}, ""},
		{"resend a 37-character id", "resendOtp", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewResendOtpRequest(base, exampleAuthID+"0")
		}, "id"},
		{"verify a string code", "verifyOtp", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewVerifyOtpRequest(base, exampleAuthID, gen.VerifyOtpRequest{AccessCode: accessCode(t, "76928")})
		}, ""},
		{"verify a code with a leading zero", "verifyOtp", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewVerifyOtpRequest(base, exampleAuthID, gen.VerifyOtpRequest{AccessCode: accessCode(t, "012")})
		}, ""},
		{"verify an integer code", "verifyOtp", true, func(t *testing.T) (*http.Request, error) {
			var c gen.VerifyOtpRequest_AccessCode
			require.NoError(t, c.FromVerifyOtpRequestAccessCode1(12345))
			return gen.NewVerifyOtpRequest(base, exampleAuthID, gen.VerifyOtpRequest{AccessCode: c})
		}, ""},
		{"verify a code with letters", "verifyOtp", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewVerifyOtpRequest(base, exampleAuthID, gen.VerifyOtpRequest{AccessCode: accessCode(t, "12ab")})
		}, "access_code"},
		{"verify a 10-digit code", "verifyOtp", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewVerifyOtpRequest(base, exampleAuthID, gen.VerifyOtpRequest{AccessCode: accessCode(t, "1234567890")})
		}, "access_code"},
		{"cancel", "cancelOtp", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewCancelOtpRequest(base, exampleAuthID)
		}, ""},
		{"status", "getAuthentication", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewGetAuthenticationRequest(base, exampleAuthID)
		}, ""},
		{"status without a bearer", "getAuthentication", false, func(t *testing.T) (*http.Request, error) {
			return gen.NewGetAuthenticationRequest(base, exampleAuthID)
		}, "no bearer token"},

		// list sessions
		{"list sessions with every filter and three ids", "listAuthentications", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewListAuthenticationsRequest(base, authFilter(t, nil))
		}, ""},
		{"list sessions with two ids and date-times", "listAuthentications", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewListAuthenticationsRequest(base, authFilter(t, map[string]any{
				"filter[ids]":     threeIDs[:2],
				"filter[from]":    "2022-12-01T00:00:00Z",
				"filter[to]":      "2022-12-31 23:59:59",
				"filter[channel]": "SMS",
			}))
		}, ""},
		// Only the two required filters set: the optional parameters left out must
		// not go out as page[limit]=0, filter[status]= and so on.
		{"list sessions with only the period", "listAuthentications", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewListAuthenticationsRequest(base, &gen.ListAuthenticationsParams{
				FilterFrom: "2022-12-01",
				FilterTo:   "2022-12-31",
			})
		}, ""},
		{"list sessions with a page of 5", "listAuthentications", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewListAuthenticationsRequest(base, authFilter(t, map[string]any{"page[limit]": 5}))
		}, "page[limit]"},
		{"list sessions with a page of 501", "listAuthentications", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewListAuthenticationsRequest(base, authFilter(t, map[string]any{"page[limit]": 501}))
		}, "page[limit]"},
		{"list sessions with four ids", "listAuthentications", true, func(t *testing.T) (*http.Request, error) {
			ids := append(slices.Clone(threeIDs), exampleAuthID)
			return gen.NewListAuthenticationsRequest(base, authFilter(t, map[string]any{"filter[ids]": ids}))
		}, "filter[ids]"},
		{"list sessions from yesterday", "listAuthentications", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewListAuthenticationsRequest(base, authFilter(t, map[string]any{"filter[from]": "yesterday"}))
		}, "filter[from]"},
		{"list sessions by fax", "listAuthentications", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewListAuthenticationsRequest(base, authFilter(t, map[string]any{"filter[channel]": "fax"}))
		}, "filter[channel]"},
		{"list sessions for a number with a plus", "listAuthentications", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewListAuthenticationsRequest(base, authFilter(t, map[string]any{"filter[recipient]": "+380979965073"}))
		}, "filter[recipient]"},
		{"list sessions sorted by price", "listAuthentications", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewListAuthenticationsRequest(base, authFilter(t, map[string]any{"sort": "price"}))
		}, "sort"},
		{"list sessions without a period", "listAuthentications", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewListAuthenticationsRequest(base, nil)
		}, "filter[from]"},

		// templates
		{"list templates with every filter", "listTemplates", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewListTemplatesRequest(base, templateFilter(t, nil))
		}, ""},
		{"list templates without parameters", "listTemplates", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewListTemplatesRequest(base, nil)
		}, ""},
		// As for sessions: an empty params struct must mean "no filters".
		{"list templates with empty parameters", "listTemplates", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewListTemplatesRequest(base, &gen.ListTemplatesParams{})
		}, ""},
		{"list templates in an unknown status", "listTemplates", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewListTemplatesRequest(base, templateFilter(t, map[string]any{"filter[status]": "unknown"}))
		}, "filter[status]"},
		{"list templates with id 0", "listTemplates", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewListTemplatesRequest(base, templateFilter(t, map[string]any{"filter[ids]": []int{0}}))
		}, "filter[ids]"},
		{"list templates sorted by country", "listTemplates", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewListTemplatesRequest(base, templateFilter(t, map[string]any{"sort": "countries"}))
		}, "sort"},
		{"create a template", "createTemplate", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewCreateTemplateRequest(base, validTemplate())
		}, ""},
		{"create a template without {code2fa}", "createTemplate", true, func(t *testing.T) (*http.Request, error) {
			r := validTemplate()
			r.Text = "your code is here"
			return gen.NewCreateTemplateRequest(base, r)
		}, "text"},
		{"create a template for no country", "createTemplate", true, func(t *testing.T) (*http.Request, error) {
			r := validTemplate()
			r.Countries = []gen.CountryCode{}
			return gen.NewCreateTemplateRequest(base, r)
		}, "countries"},
		{"create a template with a two-letter name", "createTemplate", true, func(t *testing.T) (*http.Request, error) {
			r := validTemplate()
			r.Name = "ab"
			return gen.NewCreateTemplateRequest(base, r)
		}, "name"},
		{"get a template", "getTemplate", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewGetTemplateRequest(base, exampleTemplateID)
		}, ""},
		{"get template 0", "getTemplate", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewGetTemplateRequest(base, 0)
		}, "templateId"},
		{"delete a template", "deleteTemplate", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewDeleteTemplateRequest(base, exampleTemplateID)
		}, ""},
		{"delete a 10-digit template id", "deleteTemplate", true, func(t *testing.T) (*http.Request, error) {
			return gen.NewDeleteTemplateRequest(base, 1234567890)
		}, "templateId"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := tt.build(t)
			require.NoError(t, err)
			if tt.bearer {
				req.Header.Set("Authorization", "Bearer "+testBearer)
			}

			route, pathParams, err := router.FindRoute(req)
			require.NoError(t, err, "no route for %s %s", req.Method, req.URL)
			require.Equal(t, tt.operation, route.Operation.OperationID)

			err = openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
				Request:    req,
				PathParams: pathParams,
				Route:      route,
				Options: &openapi3filter.Options{
					AuthenticationFunc: requireBearer,
					MultiError:         true,
				},
			})
			if tt.wantErr == "" {
				require.NoError(t, err, "%s %s", req.Method, req.URL)
				return
			}
			require.Error(t, err, "%s %s", req.Method, req.URL)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

// TestClientFilterIDs pins how the client sends filter[ids]: as repeated keys
// (form, explode), in order, which is what the spec and kin-openapi expect.
func TestClientFilterIDs(t *testing.T) {
	doc := loadSpec(t)
	base := baseURL(doc)

	req, err := gen.NewListAuthenticationsRequest(base, authFilter(t, nil))
	require.NoError(t, err)
	assert.Equal(t, threeIDs, req.URL.Query()["filter[ids]"])
	assert.Equal(t, 3, strings.Count(req.URL.RawQuery, "filter%5Bids%5D="), req.URL.RawQuery)

	req, err = gen.NewListTemplatesRequest(base, templateFilter(t, nil))
	require.NoError(t, err)
	assert.Equal(t, []string{"1", "49", "515"}, req.URL.Query()["filter[ids]"])
}
