package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.DateTime, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestSendOTP(t *testing.T) {
	c, mux, _ := setup(t)
	var got map[string]any
	var contentType string
	mux.HandleFunc("POST /api/2fa/authentications/otp", func(w http.ResponseWriter, r *http.Request) {
		contentType = r.Header.Get("Content-Type")
		require.NoError(t, json.NewDecoder(r.Body).Decode(&got))
		writeJSON(w, http.StatusCreated, sendBody)
	})
	a, err := c.SendOTP(context.Background(), SendOTPRequest{
		Recipient:  "+380 (97) 996-50.73",
		Channel:    "SMS",
		Sender:     "SENDER",
		TemplateID: 12,
	})
	require.NoError(t, err)
	assert.Equal(t, "application/json", contentType)
	assert.Equal(t, map[string]any{
		"recipient": "380979965073", "channel": "sms", "sender": "SENDER", "template_id": float64(12),
		"code_lifetime": float64(300), "code_max_tries": float64(3), "code_digits": float64(6),
	}, got, "normalized request with defaults, no sender_alt")

	assert.Equal(t, "bf4381c8-9d4a-4705-bd28-f89a830b7f96", a.ID)
	assert.Equal(t, "380979965073", a.Recipient)
	assert.Equal(t, StatusPending, a.Status)
	assert.Equal(t, ChannelSMS, a.Channel)
	assert.Equal(t, "SENDER_ALT", a.SenderAlt)
	assert.Equal(t, "Your verification code: {code}", a.MessageText)
	assert.Equal(t, 300*time.Second, a.CodeLifetime)
	assert.Equal(t, 3, a.CodeMaxTries)
	assert.Equal(t, 5, a.CodeDigits)
	assert.Equal(t, "0.02", a.Price.String())
	assert.Equal(t, "USD", a.Currency)
	assert.Equal(t, "UA", a.CountryCode)
	assert.Equal(t, utc("2023-01-04 18:37:06"), a.ExpiredAt)
	assert.Equal(t, utc("2023-01-04 17:37:06"), a.CreatedAt)
	assert.True(t, a.FinishedAt.IsZero(), "null finished_at")
	assert.True(t, a.UpdatedAt.IsZero(), "absent updated_at")
}

func TestSendOTPViberAndUndocumentedSuccessStatus(t *testing.T) {
	c, mux, _ := setup(t)
	var got map[string]any
	mux.HandleFunc("POST /api/2fa/authentications/otp", func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, json.NewDecoder(r.Body).Decode(&got))
		// 200 where 201 is documented: still a session.
		writeJSON(w, http.StatusOK, sendBody)
	})
	a, err := c.SendOTP(context.Background(), SendOTPRequest{
		Recipient: "61401629754", Channel: ChannelViber, Sender: "VIBER_NAME", SenderAlt: "SMS_SENDER",
		TemplateID: 12, CodeLifetime: 60 * time.Second, CodeMaxTries: 5, CodeDigits: 4,
	})
	require.NoError(t, err)
	assert.Equal(t, "bf4381c8-9d4a-4705-bd28-f89a830b7f96", a.ID)
	assert.Equal(t, "viber", got["channel"])
	assert.Equal(t, "SMS_SENDER", got["sender_alt"])
	assert.Equal(t, float64(60), got["code_lifetime"])
	assert.Equal(t, float64(5), got["code_max_tries"])
	assert.Equal(t, float64(4), got["code_digits"])
}

func TestSessionCalls(t *testing.T) {
	const id = "bf4381c8-9d4a-4705-bd28-f89a830b7f96"
	tests := []struct {
		name    string
		pattern string
		body    string
		call    func(c *Client) (*Authentication, error)
		want    Status
	}{
		{"resend", "POST /api/2fa/authentications/otp/{id}/resend", sendBody,
			func(c *Client) (*Authentication, error) { return c.ResendOTP(context.Background(), id) }, StatusPending},
		{"verify", "POST /api/2fa/authentications/otp/{id}/verify", strings.Replace(statusBody, statusID, id, 1),
			func(c *Client) (*Authentication, error) { return c.VerifyOTP(context.Background(), id, "076928") }, StatusVerified},
		{"cancel", "POST /api/2fa/authentications/{id}/cancel", canceledBody,
			func(c *Client) (*Authentication, error) { return c.CancelOTP(context.Background(), id) }, StatusCanceled},
		{"get", "GET /api/2fa/authentications/{id}", strings.Replace(statusBody, statusID, id, 1),
			func(c *Client) (*Authentication, error) { return c.GetAuthentication(context.Background(), id) }, StatusVerified},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux, _ := setup(t)
			var gotID, gotBody string
			mux.HandleFunc(tt.pattern, func(w http.ResponseWriter, r *http.Request) {
				gotID = r.PathValue("id")
				b, _ := io.ReadAll(r.Body)
				gotBody = string(b)
				writeJSON(w, http.StatusOK, tt.body)
			})
			a, err := tt.call(c)
			require.NoError(t, err)
			assert.Equal(t, id, gotID)
			assert.Equal(t, tt.want, a.Status)
			if tt.name == "verify" {
				assert.JSONEq(t, `{"access_code":"076928"}`, gotBody, "the code is sent as a string, leading zero kept")
			}
		})
	}
}

func TestGetAuthenticationMapping(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, statusBody)
	})
	a, err := c.GetAuthentication(context.Background(), "ea5db413-e368-4952-b745-cc2030210c49")
	require.NoError(t, err)
	assert.Equal(t, "50.25", a.Price.String())
	assert.Equal(t, 30*time.Second, a.CodeLifetime)
	assert.Equal(t, utc("2022-04-28 14:21:16"), a.UpdatedAt)
	assert.Equal(t, utc("2022-04-28 14:21:16"), a.FinishedAt)
	require.Len(t, a.Messages, 1)
	m := a.Messages[0]
	assert.Equal(t, Message{
		ID: "1ed32701-5d4f-6cfa-ba06-9db3aa8bab68", Recipient: "61401629754", Status: MessageAccepted,
		Channel: ChannelSMS, Sender: "SENDER", Price: m.Price, Currency: "EUR",
		SentAt: utc("2022-04-18 11:00:30"), CreatedAt: utc("2022-04-18 10:55:35"),
	}, m)
	assert.Equal(t, "0.0642918", m.Price.String())
}

func TestDecodingTolerance(t *testing.T) {
	// Integer message ids, unknown enum values, channels in capitals, unknown fields,
	// RFC 3339 timestamps and a null sent_at: all decoded, nothing refused.
	const body = `{"data":{"id":"x1","recipient":"380501403813","status":"paused","channel":"VIBER","sender":"S",
"sender_alt":null,"code_lifetime":60,"code_max_tries":3,"code_digits":6,"price":"1,5","currency":"EUR",
"country_code":"FR","expired_at":"2022-04-28T14:21:16Z","created_at":"2022-04-28 14:21:16","finished_at":null,
"brand_new_field":{"nested":[1,2,3]},
"messages":[{"id":91234567890,"status":"read","channel":"Sms","sent_at":null,"price":0},
{"id":"m2","status":"delivered","sent_at":"2022-04-28 14:21:17"}]},"meta":{"x":1}}`
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, body)
	})
	a, err := c.GetAuthentication(context.Background(), "x1")
	require.NoError(t, err)
	assert.Equal(t, Status("paused"), a.Status)
	assert.False(t, a.Status.Final())
	assert.Equal(t, ChannelViber, a.Channel)
	assert.Equal(t, "1.5", a.Price.String())
	assert.Equal(t, utc("2022-04-28 14:21:16"), a.ExpiredAt)
	require.Len(t, a.Messages, 2)
	assert.Equal(t, "91234567890", a.Messages[0].ID)
	assert.Equal(t, MessageStatus("read"), a.Messages[0].Status)
	assert.Equal(t, ChannelSMS, a.Messages[0].Channel)
	assert.True(t, a.Messages[0].SentAt.IsZero())
	assert.Equal(t, "m2", a.Messages[1].ID)
	assert.Equal(t, utc("2022-04-28 14:21:17"), a.Messages[1].SentAt)
}

func TestListAuthenticationsPage(t *testing.T) {
	c, mux, _ := setup(t)
	var query map[string][]string
	var rawQuery string
	mux.HandleFunc("GET /api/2fa/authentications", func(w http.ResponseWriter, r *http.Request) {
		query, rawQuery = r.URL.Query(), r.URL.RawQuery
		writeJSON(w, http.StatusOK, `{"data":{"list":[`+authenticationJSON("a1")+`,`+authenticationJSON("a2")+`],"total":100}}`)
	})
	kyiv := time.FixedZone("UTC+3", 3*3600)
	page, err := c.ListAuthenticationsPage(context.Background(), ListAuthenticationsRequest{
		// 01:30 on the 1st in UTC+3 is still the 31st of December in UTC.
		From: time.Date(2023, 1, 1, 1, 30, 0, 0, kyiv),
		To:   time.Date(2023, 1, 31, 12, 0, 0, 0, time.UTC),
		IDs:  []string{"a1", "a2"}, Status: StatusVerified, Channel: ChannelSMS,
		Recipient: "380501403813", CountryCode: "FR", SortBy: "created_at", Order: Desc, Offset: 20, Limit: 10,
	})
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{
		"filter[from]": {"2022-12-31"}, "filter[to]": {"2023-01-31"}, "filter[ids]": {"a1", "a2"},
		"filter[status]": {"verified"}, "filter[channel]": {"sms"}, "filter[recipient]": {"380501403813"},
		"filter[country_code]": {"FR"}, "sort": {"created_at"}, "way": {"desc"},
		"page[offset]": {"20"}, "page[limit]": {"10"},
	}, query)
	assert.NotContains(t, rawQuery, "=&")
	assert.Equal(t, 100, page.Total)
	require.Len(t, page.Items, 2)
	assert.Equal(t, "a1", page.Items[0].ID)
	assert.Equal(t, "50.25", page.Items[1].Price.String())
}

func TestListAuthenticationsPageSendsNoEmptyFilters(t *testing.T) {
	c, mux, _ := setup(t)
	var query map[string][]string
	mux.HandleFunc("GET /api/2fa/authentications", func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.Query()
		writeJSON(w, http.StatusOK, `{"data":{"list":[],"total":0}}`)
	})
	page, err := c.ListAuthenticationsPage(context.Background(), ListAuthenticationsRequest{
		From: utc("2023-01-01 00:00:00"), To: utc("2023-01-02 00:00:00"),
	})
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Equal(t, 0, page.Total)
	assert.Equal(t, map[string][]string{
		"filter[from]": {"2023-01-01"}, "filter[to]": {"2023-01-02"}, "page[offset]": {"0"}, "page[limit]": {"100"},
	}, query)
}

func TestNotFoundSentinels(t *testing.T) {
	tests := []struct {
		name string
		body string
		call func(c *Client) error
		want error
		not  error
	}{
		{"get unknown session", `{"message":"Model not found"}`, func(c *Client) error {
			_, err := c.GetAuthentication(context.Background(), "nope")
			return err
		}, ErrAuthenticationNotFound, ErrTemplateNotFound},
		{"verify wrong code", `{"errors":[{"message":"The code does not match the expected value"}]}`, func(c *Client) error {
			_, err := c.VerifyOTP(context.Background(), "s1", "1234")
			return err
		}, ErrWrongCode, ErrAuthenticationNotFound},
		{"cancel unknown", `{"message":"TwoFA Service error.","errors":["Authentication not found"]}`, func(c *Client) error {
			_, err := c.CancelOTP(context.Background(), "s1")
			return err
		}, ErrAuthenticationNotFound, ErrServiceUnavailable},
		{"resend html 404", `<html>not here</html>`, func(c *Client) error {
			_, err := c.ResendOTP(context.Background(), "s1")
			return err
		}, ErrAuthenticationNotFound, ErrTemplateNotFound},
		{"get template", `{"message":"Model not found"}`, func(c *Client) error {
			_, err := c.GetTemplate(context.Background(), 7)
			return err
		}, ErrTemplateNotFound, ErrAuthenticationNotFound},
		{"delete template", `{"message":"Model not found"}`, func(c *Client) error {
			return c.DeleteTemplate(context.Background(), 7)
		}, ErrTemplateNotFound, ErrAuthenticationNotFound},
		{"send with unknown template", `{"message":"Model not found"}`, func(c *Client) error {
			_, err := c.SendOTP(context.Background(), SendOTPRequest{Recipient: "380979965073", Channel: ChannelSMS, Sender: "SHOP", TemplateID: 9})
			return err
		}, ErrTemplateNotFound, ErrAuthenticationNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux, _ := setup(t)
			mux.HandleFunc("/api/2fa/", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusNotFound, tt.body)
			})
			err := tt.call(c)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			assert.NotErrorIs(t, err, tt.not)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
		})
	}
}

func TestPathParametersEscaped(t *testing.T) {
	c, mux, _ := setup(t)
	var gotID, gotPath string
	var others atomic.Int32
	mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
		gotID, gotPath = r.PathValue("id"), r.URL.EscapedPath()
		writeJSON(w, http.StatusOK, strings.Replace(statusBody, statusID, "a/b?c#d e", 1))
	})
	mux.HandleFunc("/", counter(&others, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusTeapot, `{}`)
	}))
	_, err := c.GetAuthentication(context.Background(), "a/b?c#d e")
	require.NoError(t, err)
	assert.Equal(t, "a/b?c#d e", gotID)
	assert.Equal(t, "/api/2fa/authentications/a%2Fb%3Fc%23d%20e", gotPath)

	for _, id := range []string{".", ".."} {
		_, err := c.GetAuthentication(context.Background(), id)
		assert.ErrorIs(t, err, ErrInvalidParams, id)
	}
	assert.Zero(t, others.Load(), "no request may land on another path")
}

func TestValidationSendsNothing(t *testing.T) {
	c, mux, _ := setup(t)
	var n atomic.Int32
	mux.HandleFunc("/", counter(&n, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{}`)
	}))
	ctx := context.Background()
	okSend := SendOTPRequest{Recipient: "380979965073", Channel: ChannelSMS, Sender: "SHOP", TemplateID: 1}
	calls := map[string]func() error{
		"send bad recipient": func() error {
			r := okSend
			r.Recipient = "12ab"
			_, err := c.SendOTP(ctx, r)
			return err
		},
		"send bad channel": func() error {
			r := okSend
			r.Channel = "fax"
			_, err := c.SendOTP(ctx, r)
			return err
		},
		"send lifetime": func() error {
			r := okSend
			r.CodeLifetime = time.Hour
			_, err := c.SendOTP(ctx, r)
			return err
		},
		"resend empty id":   func() error { _, err := c.ResendOTP(ctx, ""); return err },
		"verify long id":    func() error { _, err := c.VerifyOTP(ctx, strings.Repeat("a", 37), "1234"); return err },
		"verify short code": func() error { _, err := c.VerifyOTP(ctx, "s1", "12"); return err },
		"verify letters":    func() error { _, err := c.VerifyOTP(ctx, "s1", "12a4"); return err },
		"cancel empty id":   func() error { _, err := c.CancelOTP(ctx, ""); return err },
		"get empty id":      func() error { _, err := c.GetAuthentication(ctx, ""); return err },
		"list no dates": func() error {
			_, err := c.ListAuthenticationsPage(ctx, ListAuthenticationsRequest{})
			return err
		},
		"list from after to": func() error {
			_, err := c.ListAuthenticationsPage(ctx, ListAuthenticationsRequest{From: utc("2023-02-01 00:00:00"), To: utc("2023-01-01 00:00:00")})
			return err
		},
		"list limit": func() error {
			_, err := c.ListAuthenticationsPage(ctx, ListAuthenticationsRequest{From: utc("2023-01-01 00:00:00"), To: utc("2023-01-01 00:00:00"), Limit: 5})
			return err
		},
		"template id":        func() error { _, err := c.GetTemplate(ctx, 0); return err },
		"delete template id": func() error { return c.DeleteTemplate(ctx, -1) },
		"create no code": func() error {
			_, err := c.CreateTemplate(ctx, CreateTemplateRequest{Name: "name", Text: "no code here", Countries: []string{"UA"}})
			return err
		},
		"templates limit": func() error {
			_, err := c.ListTemplatesPage(ctx, ListTemplatesRequest{Limit: 501})
			return err
		},
	}
	for name, call := range calls {
		err := call()
		assert.ErrorIs(t, err, ErrInvalidParams, name)
		var ve *ValidationError
		assert.ErrorAs(t, err, &ve, name)
	}
	for range c.ListAuthentications(ctx, ListAuthenticationsRequest{}) {
	}
	assert.Zero(t, n.Load(), "a refused call sends nothing, not even a login")
}

func TestErrorsCarryStatus(t *testing.T) {
	tests := []struct {
		status int
		body   string
		want   error
	}{
		{http.StatusPaymentRequired, `{"errors":[{"message":"Insufficient funds"}]}`, ErrInsufficientFunds},
		{http.StatusUnprocessableEntity, `{"message":"The given data was invalid.","errors":{"recipient":["The recipient field is required."]}}`, ErrInvalidParams},
		{http.StatusUnprocessableEntity, `{"message":"The given data was invalid.","errors":["Exists on the stop list"]}`, ErrStopList},
		{http.StatusUnprocessableEntity, `{"errors":[{"message":"Invalid template status"}]}`, ErrTemplateNotApproved},
		{http.StatusBadGateway, `<html><body>Bad gateway</body></html>`, ErrServiceUnavailable},
		{http.StatusInternalServerError, ``, ErrServiceUnavailable},
		{http.StatusTooManyRequests, `{"message":"Too many duplicate request detected"}`, ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			c, mux, _ := setup(t, WithMaxRetries(0))
			mux.HandleFunc("POST /api/2fa/authentications/otp", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, tt.status, tt.body)
			})
			_, err := c.SendOTP(context.Background(), SendOTPRequest{Recipient: "380979965073", Channel: ChannelSMS, Sender: "SHOP", TemplateID: 1})
			assert.ErrorIs(t, err, tt.want)
			var apiErr *APIError
			require.True(t, errors.As(err, &apiErr))
			assert.Equal(t, tt.status, apiErr.StatusCode)
		})
	}
}
