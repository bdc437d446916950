package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/gen"
)

// validateResponse checks a response body against the spec's schema for the
// operation and status, as a server's answer to that operation.
func validateResponse(t *testing.T, doc *openapi3.T, router routers.Router, operationID string, status int, body []byte) error {
	t.Helper()
	req := requestFor(t, doc, operationID)
	route, pathParams, err := router.FindRoute(req)
	require.NoError(t, err, "no route for %s %s", req.Method, req.URL)
	require.Equal(t, operationID, route.Operation.OperationID)

	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: pathParams,
			Route:      route,
		},
		Status: status,
		Header: http.Header{"Content-Type": []string{"application/json"}},
		Options: &openapi3filter.Options{
			// A status the operation does not declare is an error, not a pass.
			IncludeResponseStatus: true,
			MultiError:            true,
		},
	}
	in.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), in)
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	require.NoError(t, err)
	return b
}

// decode unmarshals body into a new T through the generated types.
func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(body, &v))
	return v
}

func priceString(t *testing.T, p gen.Price) string {
	t.Helper()
	_, err := p.AsPrice0()
	assert.Error(t, err, "a string price must not read as a number")
	s, err := p.AsPrice1()
	require.NoError(t, err)
	return s
}

func priceNumber(t *testing.T, p gen.Price) float64 {
	t.Helper()
	_, err := p.AsPrice1()
	assert.Error(t, err, "a number price must not read as a string")
	f, err := p.AsPrice0()
	require.NoError(t, err)
	return f
}

// checkDocsAuth checks the authentication the documentation page shows for send,
// resend, verify and cancel (they differ in status only).
func checkDocsAuth(status gen.AuthenticationStatus) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		a := decode[gen.AuthenticationResponse](t, body).Data
		assert.Equal(t, exampleAuthID, a.Id)
		assert.Equal(t, status, a.Status)
		assert.Equal(t, "380979965073", a.Recipient)
		assert.Equal(t, "sms", a.Channel)
		require.NotNil(t, a.SenderAlt)
		assert.Equal(t, "SENDER_ALT", *a.SenderAlt)
		assert.Equal(t, "Your verification code: {code}", a.MessageText)
		assert.Equal(t, 300, a.CodeLifetime)
		assert.Equal(t, 3, a.CodeMaxTries)
		assert.Equal(t, 5, a.CodeDigits)
		assert.Equal(t, "0,02", priceString(t, a.Price))
		assert.Equal(t, "USD", a.Currency)
		assert.Equal(t, "UA", a.CountryCode)
		assert.Equal(t, "2023-01-04 18:37:06", a.ExpiredAt)
		assert.Equal(t, "2023-01-04 17:37:06", a.CreatedAt)
		require.NotNil(t, a.FinishedAt)
		assert.Equal(t, "2023-01-04 17:37:06", *a.FinishedAt)
		assert.Empty(t, a.Messages)
	}
}

// checkDocsSession checks the session with one message that the documentation page
// shows for status and, as the only list item, for list.
func checkDocsSession(t *testing.T, a gen.Authentication) {
	t.Helper()
	assert.Equal(t, "ea5db413-e368-4952-b745-cc2030210c49", a.Id)
	assert.Equal(t, gen.AuthenticationStatusVerified, a.Status)
	require.NotNil(t, a.SenderAlt)
	assert.Equal(t, "string", *a.SenderAlt)
	assert.InDelta(t, 50.25, priceNumber(t, a.Price), 0)
	assert.Equal(t, "2022-04-28 14:21:16", a.UpdatedAt)
	require.NotNil(t, a.FinishedAt)
	assert.Equal(t, "2022-04-28 14:21:16", *a.FinishedAt)

	require.Len(t, a.Messages, 1)
	m := a.Messages[0]
	_, err := m.Id.AsMessageId0()
	assert.Error(t, err, "a UUID message id must not read as an integer")
	id, err := m.Id.AsMessageId1()
	require.NoError(t, err)
	assert.Equal(t, "1ed32701-5d4f-6cfa-ba06-9db3aa8bab68", id)
	assert.Equal(t, gen.MessageStatusAccepted, m.Status)
	assert.InDelta(t, 0.0642918, priceNumber(t, m.Price), 0)
	require.NotNil(t, m.SentAt)
	assert.Equal(t, "2022-04-18 11:00:30", *m.SentAt)
	assert.Equal(t, "2022-04-18 10:55:35", m.CreatedAt)
}

// checkVendorAuth checks the vendor file's send, resend, verify and cancel answers:
// numeric prices, a null sender_alt and, while pending, a null finished_at.
func checkVendorAuth(status gen.AuthenticationStatus, price float64, finishedAt *string) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		a := decode[gen.AuthenticationResponse](t, body).Data
		assert.Equal(t, status, a.Status)
		assert.Nil(t, a.SenderAlt)
		assert.InDelta(t, price, priceNumber(t, a.Price), 0)
		assert.Equal(t, "2022-04-28 14:21:16", a.CreatedAt)
		assert.Equal(t, finishedAt, a.FinishedAt)
	}
}

// checkVendorSession checks one session of the vendor file's status and list
// examples: integer message ids and RFC 3339-like timestamps with an offset.
func checkVendorSession(t *testing.T, a gen.Authentication) {
	t.Helper()
	assert.Equal(t, gen.AuthenticationStatusVerified, a.Status)
	assert.InDelta(t, 50.25, priceNumber(t, a.Price), 0)
	assert.Equal(t, "2000-01-23 04:56:07+00:00", a.CreatedAt)
	require.NotNil(t, a.FinishedAt)
	assert.Equal(t, "2000-01-23 04:56:07+00:00", *a.FinishedAt)
	require.Len(t, a.Messages, 2)
	for _, m := range a.Messages {
		_, err := m.Id.AsMessageId1()
		assert.Error(t, err, "an integer message id must not read as a string")
		id, err := m.Id.AsMessageId0()
		require.NoError(t, err)
		assert.Equal(t, int64(1445088940), id)
		require.NotNil(t, m.SentAt)
		assert.Equal(t, "2022-04-18 11:00:30", *m.SentAt)
	}
}

func checkVendorTemplate(t *testing.T, tpl gen.Template) {
	t.Helper()
	_, err := tpl.TemplateId.AsTemplateId1()
	assert.Error(t, err, "an integer template id must not read as a string")
	id, err := tpl.TemplateId.AsTemplateIdNumber()
	require.NoError(t, err)
	assert.Equal(t, 515, id)
	assert.Equal(t, gen.TemplateStatusRequested, tpl.Status)
	assert.Equal(t, []string{"UA", "PT", "AD", "IT"}, tpl.Countries)
	assert.Equal(t, "2000-01-23 04:56:07+00:00", tpl.UpdatedAt)
}

// checkErrorStrings checks {"message": ..., "errors": ["..."]}.
func checkErrorStrings(message string, errs ...string) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		e := decode[gen.ErrorBody](t, body)
		assert.Equal(t, message, e.Message)
		list, err := e.Errors.AsErrorList0()
		require.NoError(t, err)
		assert.Equal(t, append([]string{}, errs...), list)
		_, err = e.Errors.AsErrorList2()
		assert.Error(t, err, "a list must not read as a field map")
	}
}

// checkErrorItems checks {"errors": [{"message": ...}]}.
func checkErrorItems(messages ...string) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		e := decode[gen.ErrorBody](t, body)
		assert.Empty(t, e.Message)
		_, err := e.Errors.AsErrorList0()
		assert.Error(t, err, "a list of objects must not read as a list of strings")
		items, err := e.Errors.AsErrorList1()
		require.NoError(t, err)
		got := make([]string, 0, len(items))
		for _, it := range items {
			got = append(got, it.Message)
		}
		assert.Equal(t, messages, got)
	}
}

// checkErrorFields checks {"message": ..., "errors": {"field": ["..."]}}.
func checkErrorFields(message string, fields gen.ErrorList2) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		e := decode[gen.ErrorBody](t, body)
		assert.Equal(t, message, e.Message)
		_, err := e.Errors.AsErrorList0()
		assert.Error(t, err, "a field map must not read as a list")
		got, err := e.Errors.AsErrorList2()
		require.NoError(t, err)
		assert.Equal(t, fields, got)
	}
}

// checkMessageOnly checks {"message": ...} without errors.
func checkMessageOnly(message string) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		e := decode[gen.ErrorBody](t, body)
		assert.Equal(t, message, e.Message)
		raw, err := json.Marshal(e.Errors)
		require.NoError(t, err)
		assert.JSONEq(t, "null", string(raw), "no errors were sent")
	}
}

func TestResponseExamples(t *testing.T) {
	doc := loadSpec(t)
	router := newRouter(t, doc)
	finished := "2025-02-11 07:59:43"

	tests := []struct {
		file      string
		operation string
		status    int
		check     func(t *testing.T, body []byte)
	}{
		// The documentation page.
		{"docs/send_201.json", "sendOtp", 201, checkDocsAuth(gen.AuthenticationStatusPending)},
		{"docs/resend_200.json", "resendOtp", 200, checkDocsAuth(gen.AuthenticationStatusPending)},
		// The page's verify example says "pending"; it is kept as published.
		{"docs/verify_200.json", "verifyOtp", 200, checkDocsAuth(gen.AuthenticationStatusPending)},
		{"docs/verify_404_wrong_code.json", "verifyOtp", 404, checkErrorItems("The code does not match the expected value")},
		{"docs/cancel_200.json", "cancelOtp", 200, checkDocsAuth(gen.AuthenticationStatusCanceled)},
		{"docs/status_200.json", "getAuthentication", 200, func(t *testing.T, body []byte) {
			checkDocsSession(t, decode[gen.AuthenticationResponse](t, body).Data)
		}},
		{"docs/list_200.json", "listAuthentications", 200, func(t *testing.T, body []byte) {
			l := decode[gen.AuthenticationListResponse](t, body).Data
			assert.Equal(t, 100, l.Total)
			require.Len(t, l.List, 1)
			checkDocsSession(t, l.List[0])
		}},
		{"docs/template_create_200.json", "createTemplate", 200, func(t *testing.T, body []byte) {
			tpl := decode[gen.TemplateResponse](t, body).Data
			id, err := tpl.TemplateId.AsTemplateIdNumber()
			require.NoError(t, err)
			assert.Equal(t, 515, id)
			assert.Equal(t, "test code is {code2fa}", tpl.Text)
			assert.Equal(t, []string{"AD", "IT", "PT", "UA"}, tpl.Countries)
			assert.Equal(t, gen.TemplateStatusRequested, tpl.Status)
			assert.Equal(t, "2023-06-30 14:52:58", tpl.UpdatedAt)
		}},
		{"docs/template_create_200.json", "createTemplate", 201, func(t *testing.T, body []byte) {
			assert.Equal(t, "template name", decode[gen.TemplateResponse](t, body).Data.Name)
		}},
		{"docs/template_list_200.json", "listTemplates", 200, func(t *testing.T, body []byte) {
			r := decode[gen.TemplateListResponse](t, body)
			assert.Equal(t, 1, r.Total)
			_, err := r.Data.AsTemplateList()
			assert.Error(t, err, "a bare array must not read as {list, total}")
			list, err := r.Data.AsTemplateListResponseData0()
			require.NoError(t, err)
			require.Len(t, list, 1)
			id, err := list[0].TemplateId.AsTemplateId1()
			require.NoError(t, err)
			assert.Equal(t, "49", id)
			assert.Equal(t, gen.TemplateStatusApproved, list[0].Status)
			assert.Equal(t, "2022-04-18 10:55:35", list[0].UpdatedAt)
		}},
		{"docs/template_delete_200.json", "deleteTemplate", 200, func(t *testing.T, body []byte) {
			r := decode[gen.DeleteTemplateResult](t, body)
			s, err := r.AsDeleteTemplateResult1()
			require.NoError(t, err)
			assert.Equal(t, "Successfully removed", s)
		}},
		{"docs/error_2fa.json", "sendOtp", 422, checkErrorItems("ERROR_MESSAGE_1")},
		{"docs/error_2fa.json", "sendOtp", 402, checkErrorItems("ERROR_MESSAGE_1")},
		{"docs/error_2fa.json", "cancelOtp", 404, checkErrorItems("ERROR_MESSAGE_1")},
		{"docs/error_validation.json", "sendOtp", 422, checkErrorFields("The given data was invalid.", gen.ErrorList2{
			"<FIELD_1>": {"<VALIDATION_ERROR_1>"},
			"<FIELD_N>": {"<VALIDATION_ERROR_N>"},
		})},
		{"docs/error_validation.json", "createTemplate", 422, checkErrorFields("The given data was invalid.", gen.ErrorList2{
			"<FIELD_1>": {"<VALIDATION_ERROR_1>"},
			"<FIELD_N>": {"<VALIDATION_ERROR_N>"},
		})},
		{"docs/error_integration.json", "getAuthentication", 500, checkErrorStrings("<ERROR_MESSAGE>")},
		{"docs/error_integration.json", "sendOtp", 502, checkErrorStrings("<ERROR_MESSAGE>")},

		// The vendor's OpenAPI file, where its shapes differ from the page's.
		{"vendor/login_200.json", "login", 200, func(t *testing.T, body []byte) {
			assert.Regexp(t, `^eyJ[\w-]+\.[\w-]+\.[\w-]+$`, decode[gen.TokenResponse](t, body).Bearer)
		}},
		{"vendor/login_200.json", "refreshToken", 200, func(t *testing.T, body []byte) {
			assert.NotEmpty(t, decode[gen.TokenResponse](t, body).Bearer)
		}},
		{"vendor/send_201.json", "sendOtp", 201, checkVendorAuth(gen.AuthenticationStatusPending, 0, nil)},
		{"vendor/resend_200.json", "resendOtp", 200, checkVendorAuth(gen.AuthenticationStatusPending, 0, nil)},
		{"vendor/verify_200.json", "verifyOtp", 200, checkVendorAuth(gen.AuthenticationStatusVerified, 0.02, &finished)},
		{"vendor/cancel_200.json", "cancelOtp", 200, checkVendorAuth(gen.AuthenticationStatusCanceled, 0, &finished)},
		{"vendor/status_200.json", "getAuthentication", 200, func(t *testing.T, body []byte) {
			checkVendorSession(t, decode[gen.AuthenticationResponse](t, body).Data)
		}},
		{"vendor/list_200.json", "listAuthentications", 200, func(t *testing.T, body []byte) {
			l := decode[gen.AuthenticationListResponse](t, body).Data
			assert.Equal(t, 100, l.Total)
			require.Len(t, l.List, 2)
			for _, a := range l.List {
				checkVendorSession(t, a)
			}
		}},
		{"vendor/template_create_200.json", "createTemplate", 200, func(t *testing.T, body []byte) {
			checkVendorTemplate(t, decode[gen.TemplateResponse](t, body).Data)
		}},
		{"vendor/template_get_200.json", "getTemplate", 200, func(t *testing.T, body []byte) {
			checkVendorTemplate(t, decode[gen.TemplateResponse](t, body).Data)
		}},
		{"vendor/template_list_200.json", "listTemplates", 200, func(t *testing.T, body []byte) {
			r := decode[gen.TemplateListResponse](t, body)
			assert.Zero(t, r.Total, "the total sits inside data in this shape")
			_, err := r.Data.AsTemplateListResponseData0()
			assert.Error(t, err, "{list, total} must not read as a bare array")
			l, err := r.Data.AsTemplateList()
			require.NoError(t, err)
			assert.Equal(t, 100, l.Total)
			require.Len(t, l.List, 2)
			for _, tpl := range l.List {
				checkVendorTemplate(t, tpl)
			}
		}},
		{"vendor/template_delete_200.json", "deleteTemplate", 200, func(t *testing.T, body []byte) {
			r := decode[gen.DeleteTemplateResult](t, body)
			_, err := r.AsDeleteTemplateResult1()
			assert.Error(t, err, "an object must not read as a string")
			o, err := r.AsDeleteTemplateResult0()
			require.NoError(t, err)
			assert.Equal(t, "Successfully removed", o.Data.Status)
		}},
		{"vendor/template_get_404.json", "getTemplate", 404, checkMessageOnly("Model not found")},
		{"vendor/template_delete_404.json", "deleteTemplate", 404, checkErrorStrings("TwoFA Service error.", "Template not found")},
		{"vendor/template_delete_422.json", "deleteTemplate", 422, checkErrorStrings("The given data was invalid.", "Default template is not available for deletion")},
		{"vendor/too_many_429.json", "sendOtp", 429, checkMessageOnly("Too many duplicate request detected")},
		{"vendor/too_many_429.json", "cancelOtp", 429, checkMessageOnly("Too many duplicate request detected")},
		{"vendor/auth_not_found_404.json", "cancelOtp", 404, checkErrorStrings("TwoFA Service error.", "Authentication not found")},
		{"vendor/auth_not_found_404.json", "getAuthentication", 404, checkErrorStrings("TwoFA Service error.", "Authentication not found")},
		{"vendor/auth_expired_422.json", "resendOtp", 422, checkErrorStrings("TwoFA Service error.", "Authentication expired")},
		{"vendor/verify_404_wrong_code.json", "verifyOtp", 404, checkErrorStrings("TwoFA Service error.", "The code does not match the expected value")},
		{"vendor/send_422_template.json", "sendOtp", 422, checkErrorStrings("The given data was invalid.", "Template is not available.")},
		{"vendor/send_422_channel.json", "sendOtp", 422, checkErrorFields("The given data was invalid.", gen.ErrorList2{
			"channel": {"The value you selected is not a valid choice."},
		})},
	}

	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.operation+"/"+http.StatusText(tt.status), func(t *testing.T) {
			body := readTestdata(t, tt.file)
			require.NoError(t, validateResponse(t, doc, router, tt.operation, tt.status, body))
			tt.check(t, body)
		})
	}
}

// TestListTotals: a list answer always carries its total, 0 included, in each of the
// shapes the sources show.
func TestListTotals(t *testing.T) {
	doc := loadSpec(t)
	router := newRouter(t, doc)
	tests := []struct {
		name      string
		operation string
		body      string
	}{
		{"sessions, none", "listAuthentications", `{"data":{"list":[],"total":0}}`},
		{"templates as the documentation page lists them, none", "listTemplates", `{"data":[],"total":0}`},
		{"templates as the vendor's file lists them, none", "listTemplates", `{"data":{"list":[],"total":0}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, validateResponse(t, doc, router, tt.operation, 200, []byte(tt.body)))
		})
	}
}

// mutated returns a testdata file with one change made to its decoded JSON.
func mutated(t *testing.T, file string, change func(data map[string]any)) []byte {
	t.Helper()
	var v map[string]any
	require.NoError(t, json.Unmarshal(readTestdata(t, file), &v))
	data, ok := v["data"].(map[string]any)
	require.True(t, ok, "%s has no data object", file)
	change(data)
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// TestResponseExamplesRejected proves the schemas have teeth: bodies one defect away
// from a documented example must fail validation, and for the reason given.
func TestResponseExamplesRejected(t *testing.T) {
	doc := loadSpec(t)
	router := newRouter(t, doc)

	tests := []struct {
		name      string
		operation string
		status    int
		body      []byte
		want      string // a fragment of the validation error
	}{
		{"price not a decimal", "sendOtp", 201, mutated(t, "docs/send_201.json", func(d map[string]any) {
			d["price"] = "abc"
		}), "price"},
		{"price as a bool", "sendOtp", 201, mutated(t, "docs/send_201.json", func(d map[string]any) {
			d["price"] = true
		}), "price"},
		{"timestamp in words", "sendOtp", 201, mutated(t, "docs/send_201.json", func(d map[string]any) {
			d["created_at"] = "yesterday"
		}), "created_at"},
		{"status missing", "getAuthentication", 200, mutated(t, "docs/status_200.json", func(d map[string]any) {
			delete(d, "status")
		}), "status"},
		{"status unknown", "getAuthentication", 200, mutated(t, "docs/status_200.json", func(d map[string]any) {
			d["status"] = "done"
		}), "status"},
		{"channel fax", "cancelOtp", 200, mutated(t, "docs/cancel_200.json", func(d map[string]any) {
			d["channel"] = "fax"
		}), "channel"},
		{"finished_at missing", "resendOtp", 200, mutated(t, "vendor/resend_200.json", func(d map[string]any) {
			delete(d, "finished_at")
		}), "finished_at"},
		{"expired_at null", "resendOtp", 200, mutated(t, "vendor/resend_200.json", func(d map[string]any) {
			d["expired_at"] = nil
		}), "expired_at"},
		{"message id a bool", "getAuthentication", 200, mutated(t, "vendor/status_200.json", func(d map[string]any) {
			d["messages"].([]any)[0].(map[string]any)["id"] = true
		}), "id"},
		{"message status unknown", "getAuthentication", 200, mutated(t, "docs/status_200.json", func(d map[string]any) {
			d["messages"].([]any)[0].(map[string]any)["status"] = "lost"
		}), "status"},
		{"template id not digits", "getTemplate", 200, mutated(t, "vendor/template_get_200.json", func(d map[string]any) {
			d["template_id"] = "12a"
		}), "template_id"},
		{"template status unknown", "createTemplate", 200, mutated(t, "docs/template_create_200.json", func(d map[string]any) {
			d["status"] = "pending"
		}), "status"},
		{"template list total negative", "listTemplates", 200, []byte(`{"data":[],"total":-1}`), "total"},
		{"template array without a total", "listTemplates", 200, []byte(`{"data":[]}`), `Doesn't match schema "not"`},
		{"template list without a total", "listTemplates", 200, []byte(`{"data":{"list":[]},"total":0}`), `"/data": doesn't match any schema`},
		{"session list without a total", "listAuthentications", 200, []byte(`{"data":{"list":[]}}`), "total"},
		{"template list as a string", "listTemplates", 200, []byte(`{"data":"none"}`), "data"},
		{"data envelope missing", "sendOtp", 201, func() []byte {
			var v map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(readTestdata(t, "vendor/send_201.json"), &v))
			return v["data"]
		}(), "data"},
		{"delete answer a number", "deleteTemplate", 200, []byte(`42`), "doesn't match"},
		{"errors a string", "verifyOtp", 404, []byte(`{"message":"TwoFA Service error.","errors":"Authentication not found"}`), "errors"},
		{"errors items numbers", "sendOtp", 422, []byte(`{"errors":[1,2]}`), "errors"},
		{"undeclared status", "refreshToken", 404, readTestdata(t, "vendor/auth_not_found_404.json"), "status is not supported"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validateResponse(t, doc, router, tt.operation, tt.status, tt.body)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
