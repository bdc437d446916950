package wrapper

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireInvalid checks that err is a *ValidationError for field that matches
// ErrInvalidParams.
func requireInvalid(t *testing.T, err error, field string) *ValidationError {
	t.Helper()
	require.Error(t, err)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, field, ve.Field)
	assert.NotEmpty(t, ve.Reason)
	assert.ErrorIs(t, err, ErrInvalidParams)
	assert.True(t, strings.HasPrefix(err.Error(), "bsg2fa: invalid "+field+": "), err.Error())
	return ve
}

func TestNormalizeRecipient(t *testing.T) {
	accepted := []struct{ in, want string }{
		{"380979965073", "380979965073"},
		{"+380979965073", "380979965073"},
		{"+38 (097) 996-50-73", "380979965073"},
		{"+44.20.7946.0958", "442079460958"},
		{"123456789", "123456789"},
		{"123456789012345", "123456789012345"},
		{"+1 (555) 010 99 99", "15550109999"},
	}
	for _, tt := range accepted {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NormalizeRecipient(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	refused := []string{
		"", "+", "12345678", "1234567890123456", "+38 097 996 50 7a", "38097996507３",
		"380979965073\n", "380979965073\t", "380/979965073", "٣٨٠٩٧٩٩٦٥٠٧٣", "+-.() ",
	}
	for _, in := range refused {
		t.Run(in, func(t *testing.T) {
			got, err := NormalizeRecipient(in)
			ve := requireInvalid(t, err, "Recipient")
			assert.Empty(t, got)
			if len(in) > 6 {
				assert.NotContains(t, ve.Error(), in, "the number is not repeated")
			}
		})
	}
}

func validSend() SendOTPRequest {
	return SendOTPRequest{
		Recipient:  "+380 97 996 5073",
		Channel:    ChannelSMS,
		Sender:     "SENDER",
		TemplateID: 12,
	}
}

func TestValidateSendOTPDefaults(t *testing.T) {
	got, err := validateSendOTP(validSend())
	require.NoError(t, err)
	assert.Equal(t, SendOTPRequest{
		Recipient:    "380979965073",
		Channel:      ChannelSMS,
		Sender:       "SENDER",
		TemplateID:   12,
		CodeLifetime: 5 * time.Minute,
		CodeMaxTries: 3,
		CodeDigits:   6,
	}, got)
}

func TestValidateSendOTPAccepts(t *testing.T) {
	tests := []struct {
		name   string
		change func(*SendOTPRequest)
		check  func(*testing.T, SendOTPRequest)
	}{
		{"channel upper case", func(r *SendOTPRequest) { r.Channel = "SMS" },
			func(t *testing.T, r SendOTPRequest) { assert.Equal(t, ChannelSMS, r.Channel) }},
		{"viber with fallback", func(r *SendOTPRequest) { r.Channel = "Viber"; r.SenderAlt = "SMS_SENDER" },
			func(t *testing.T, r SendOTPRequest) {
				assert.Equal(t, ChannelViber, r.Channel)
				assert.Equal(t, "SMS_SENDER", r.SenderAlt)
			}},
		{"numeric sender of 15 digits", func(r *SendOTPRequest) { r.Sender = "123456789012345" }, nil},
		{"numeric sender of 3 digits", func(r *SendOTPRequest) { r.Sender = "123" }, nil},
		{"name of 11 characters", func(r *SendOTPRequest) { r.Sender = "ABCDEFGHIJK" }, nil},
		{"name of 3 characters", func(r *SendOTPRequest) { r.Sender = "B2B" }, nil},
		{"name with symbols and a space", func(r *SendOTPRequest) { r.Sender = "My Shop!~" }, nil},
		{"template id max", func(r *SendOTPRequest) { r.TemplateID = 999999999 }, nil},
		{"template id min", func(r *SendOTPRequest) { r.TemplateID = 1 }, nil},
		{"lifetime 30s", func(r *SendOTPRequest) { r.CodeLifetime = 30 * time.Second },
			func(t *testing.T, r SendOTPRequest) { assert.Equal(t, 30*time.Second, r.CodeLifetime) }},
		{"lifetime 300s", func(r *SendOTPRequest) { r.CodeLifetime = 300 * time.Second }, nil},
		{"tries 1", func(r *SendOTPRequest) { r.CodeMaxTries = 1 },
			func(t *testing.T, r SendOTPRequest) { assert.Equal(t, 1, r.CodeMaxTries) }},
		{"tries 5", func(r *SendOTPRequest) { r.CodeMaxTries = 5 }, nil},
		{"digits 3", func(r *SendOTPRequest) { r.CodeDigits = 3 },
			func(t *testing.T, r SendOTPRequest) { assert.Equal(t, 3, r.CodeDigits) }},
		{"digits 9", func(r *SendOTPRequest) { r.CodeDigits = 9 }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validSend()
			tt.change(&req)
			got, err := validateSendOTP(req)
			require.NoError(t, err)
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

func TestValidateSendOTPRefuses(t *testing.T) {
	tests := []struct {
		name   string
		field  string
		change func(*SendOTPRequest)
	}{
		{"no recipient", "Recipient", func(r *SendOTPRequest) { r.Recipient = "" }},
		{"short recipient", "Recipient", func(r *SendOTPRequest) { r.Recipient = "+1 234" }},
		{"letters in recipient", "Recipient", func(r *SendOTPRequest) { r.Recipient = "38097996507O" }},
		{"no channel", "Channel", func(r *SendOTPRequest) { r.Channel = "" }},
		{"unknown channel", "Channel", func(r *SendOTPRequest) { r.Channel = "telegram" }},
		{"channel with spaces", "Channel", func(r *SendOTPRequest) { r.Channel = " sms" }},
		{"no sender", "Sender", func(r *SendOTPRequest) { r.Sender = "" }},
		{"sender too short", "Sender", func(r *SendOTPRequest) { r.Sender = "AB" }},
		{"digits too short", "Sender", func(r *SendOTPRequest) { r.Sender = "12" }},
		{"name of 12 characters", "Sender", func(r *SendOTPRequest) { r.Sender = "VIBER_SENDER" }},
		{"16 digits", "Sender", func(r *SendOTPRequest) { r.Sender = "1234567890123456" }},
		{"non-Latin sender", "Sender", func(r *SendOTPRequest) { r.Sender = "Магазин" }},
		{"control in sender", "Sender", func(r *SendOTPRequest) { r.Sender = "SEND\tER" }},
		{"leading space", "Sender", func(r *SendOTPRequest) { r.Sender = " SENDER" }},
		{"trailing space", "Sender", func(r *SendOTPRequest) { r.Sender = "SENDER " }},
		{"spaces only", "Sender", func(r *SendOTPRequest) { r.Sender = "   " }},
		{"fallback on SMS", "SenderAlt", func(r *SendOTPRequest) { r.SenderAlt = "SMS_SENDER" }},
		{"bad fallback on Viber", "SenderAlt", func(r *SendOTPRequest) { r.Channel = ChannelViber; r.SenderAlt = "X" }},
		{"no template", "TemplateID", func(r *SendOTPRequest) { r.TemplateID = 0 }},
		{"negative template", "TemplateID", func(r *SendOTPRequest) { r.TemplateID = -1 }},
		{"template too large", "TemplateID", func(r *SendOTPRequest) { r.TemplateID = 1000000000 }},
		{"lifetime 29s", "CodeLifetime", func(r *SendOTPRequest) { r.CodeLifetime = 29 * time.Second }},
		{"lifetime 301s", "CodeLifetime", func(r *SendOTPRequest) { r.CodeLifetime = 301 * time.Second }},
		{"lifetime fractional", "CodeLifetime", func(r *SendOTPRequest) { r.CodeLifetime = 90*time.Second + time.Millisecond }},
		{"lifetime negative", "CodeLifetime", func(r *SendOTPRequest) { r.CodeLifetime = -time.Minute }},
		{"tries 6", "CodeMaxTries", func(r *SendOTPRequest) { r.CodeMaxTries = 6 }},
		{"tries negative", "CodeMaxTries", func(r *SendOTPRequest) { r.CodeMaxTries = -1 }},
		{"digits 2", "CodeDigits", func(r *SendOTPRequest) { r.CodeDigits = 2 }},
		{"digits 10", "CodeDigits", func(r *SendOTPRequest) { r.CodeDigits = 10 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validSend()
			tt.change(&req)
			got, err := validateSendOTP(req)
			requireInvalid(t, err, tt.field)
			assert.Equal(t, SendOTPRequest{}, got)
		})
	}
}

func TestValidateID(t *testing.T) {
	for _, id := range []string{"bf4381c8-9d4a-4705-bd28-f89a830b7f96", "x", strings.Repeat("a", 36), "a/b", "пароль"} {
		assert.NoError(t, validateID(id), id)
	}
	for _, id := range []string{"", strings.Repeat("a", 37), "a\nb", "a\x00", "\x7f", "a\u0085b", "\xff"} {
		requireInvalid(t, validateID(id), "ID")
	}
}

func TestValidateCode(t *testing.T) {
	for _, code := range []string{"123", "000", "76928", "123456789"} {
		assert.NoError(t, validateCode(code), code)
	}
	for _, code := range []string{"", "12", "1234567890", "12a45", " 1234", "1234 ", "-123", "１２３４", "12.34"} {
		t.Run(code, func(t *testing.T) {
			err := validateCode(code)
			requireInvalid(t, err, "Code")
			if code != "" {
				assert.NotContains(t, err.Error(), code, "a code never reaches an error string")
			}
		})
	}
}

func TestValidateTemplateID(t *testing.T) {
	for _, id := range []int{1, 515, 999999999} {
		assert.NoError(t, validateTemplateID(id))
	}
	for _, id := range []int{0, -1, 1000000000} {
		requireInvalid(t, validateTemplateID(id), "TemplateID")
	}
}

func validListAuth() ListAuthenticationsRequest {
	return ListAuthenticationsRequest{
		From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		To:   time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC),
	}
}

func TestValidateListAuthentications(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		got, err := validateListAuthentications(validListAuth())
		require.NoError(t, err)
		want := validListAuth()
		want.Limit = 100
		assert.Equal(t, want, got)
	})
	t.Run("normalizes", func(t *testing.T) {
		req := validListAuth()
		req.From = req.To // From == To is a one-day window
		req.Limit = 10
		req.Offset = 20
		req.IDs = []string{"a", "b", "c"}
		req.Status = "Verified"
		req.Channel = "VIBER"
		req.Recipient = "+38 097 996 50 73"
		req.CountryCode = "ua"
		req.SortBy = "Created_At"
		req.Order = "DESC"
		got, err := validateListAuthentications(req)
		require.NoError(t, err)
		assert.Equal(t, ListAuthenticationsRequest{
			From: req.From, To: req.To, Offset: 20, Limit: 10, IDs: []string{"a", "b", "c"},
			Status: StatusVerified, Channel: ChannelViber, Recipient: "380979965073", CountryCode: "UA",
			SortBy: "created_at", Order: Desc,
		}, got)
		got.IDs[0] = "changed"
		assert.Equal(t, "a", req.IDs[0], "the caller's slice is not shared")
	})
	t.Run("every sort key", func(t *testing.T) {
		for _, k := range []string{"id", "status", "channel", "recipient", "created_at", "finished_at", "country_code"} {
			req := validListAuth()
			req.SortBy = k
			_, err := validateListAuthentications(req)
			assert.NoError(t, err, k)
		}
	})
	t.Run("limit 500", func(t *testing.T) {
		req := validListAuth()
		req.Limit = 500
		got, err := validateListAuthentications(req)
		require.NoError(t, err)
		assert.Equal(t, 500, got.Limit)
	})

	tests := []struct {
		name   string
		field  string
		change func(*ListAuthenticationsRequest)
	}{
		{"no From", "From", func(r *ListAuthenticationsRequest) { r.From = time.Time{} }},
		{"no To", "To", func(r *ListAuthenticationsRequest) { r.To = time.Time{} }},
		{"From after To", "From", func(r *ListAuthenticationsRequest) { r.From = r.To.Add(time.Second) }},
		{"negative offset", "Offset", func(r *ListAuthenticationsRequest) { r.Offset = -1 }},
		{"limit 9", "Limit", func(r *ListAuthenticationsRequest) { r.Limit = 9 }},
		{"limit 501", "Limit", func(r *ListAuthenticationsRequest) { r.Limit = 501 }},
		{"negative limit", "Limit", func(r *ListAuthenticationsRequest) { r.Limit = -1 }},
		{"four ids", "IDs", func(r *ListAuthenticationsRequest) { r.IDs = []string{"a", "b", "c", "d"} }},
		{"empty id", "IDs", func(r *ListAuthenticationsRequest) { r.IDs = []string{"a", ""} }},
		{"long id", "IDs", func(r *ListAuthenticationsRequest) { r.IDs = []string{strings.Repeat("a", 37)} }},
		{"control in id", "IDs", func(r *ListAuthenticationsRequest) { r.IDs = []string{"a\r\n"} }},
		{"unknown status", "Status", func(r *ListAuthenticationsRequest) { r.Status = "done" }},
		{"unknown channel", "Channel", func(r *ListAuthenticationsRequest) { r.Channel = "email" }},
		{"bad recipient", "Recipient", func(r *ListAuthenticationsRequest) { r.Recipient = "12" }},
		{"three-letter country", "CountryCode", func(r *ListAuthenticationsRequest) { r.CountryCode = "UKR" }},
		{"digit country", "CountryCode", func(r *ListAuthenticationsRequest) { r.CountryCode = "U1" }},
		{"non-ASCII country", "CountryCode", func(r *ListAuthenticationsRequest) { r.CountryCode = "ÜA" }},
		{"unknown sort key", "SortBy", func(r *ListAuthenticationsRequest) { r.SortBy = "price" }},
		{"template sort key", "SortBy", func(r *ListAuthenticationsRequest) { r.SortBy = "updated_at" }},
		{"unknown order", "Order", func(r *ListAuthenticationsRequest) { r.Order = "up" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validListAuth()
			tt.change(&req)
			got, err := validateListAuthentications(req)
			requireInvalid(t, err, tt.field)
			assert.Zero(t, got.Limit)
		})
	}
}

func TestValidateListTemplates(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		got, err := validateListTemplates(ListTemplatesRequest{})
		require.NoError(t, err)
		assert.Equal(t, ListTemplatesRequest{Limit: 100}, got)
	})
	t.Run("normalizes", func(t *testing.T) {
		ids := make([]int, 100)
		for i := range ids {
			ids[i] = i + 1
		}
		req := ListTemplatesRequest{Offset: 5, Limit: 10, IDs: ids, Status: "APPROVED", SortBy: "Updated_At", Order: "Asc"}
		got, err := validateListTemplates(req)
		require.NoError(t, err)
		assert.Equal(t, ListTemplatesRequest{Offset: 5, Limit: 10, IDs: ids, Status: TemplateApproved, SortBy: "updated_at", Order: Asc}, got)
		got.IDs[0] = 42
		assert.Equal(t, 1, ids[0], "the caller's slice is not shared")
	})
	t.Run("every status and sort key", func(t *testing.T) {
		for _, s := range []TemplateStatus{TemplateRequested, TemplateApproved, TemplateRejected, TemplateDeleted} {
			_, err := validateListTemplates(ListTemplatesRequest{Status: s})
			assert.NoError(t, err, s)
		}
		for _, k := range []string{"template_id", "status", "name", "updated_at"} {
			_, err := validateListTemplates(ListTemplatesRequest{SortBy: k})
			assert.NoError(t, err, k)
		}
	})

	tests := []struct {
		name  string
		field string
		req   ListTemplatesRequest
	}{
		{"negative offset", "Offset", ListTemplatesRequest{Offset: -1}},
		{"limit 9", "Limit", ListTemplatesRequest{Limit: 9}},
		{"limit 501", "Limit", ListTemplatesRequest{Limit: 501}},
		{"101 ids", "IDs", ListTemplatesRequest{IDs: make([]int, 101)}},
		{"zero id", "IDs", ListTemplatesRequest{IDs: []int{1, 0}}},
		{"id too large", "IDs", ListTemplatesRequest{IDs: []int{1000000000}}},
		{"unknown status", "Status", ListTemplatesRequest{Status: "pending"}},
		{"unknown sort key", "SortBy", ListTemplatesRequest{SortBy: "created_at"}},
		{"unknown order", "Order", ListTemplatesRequest{Order: "random"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := validateListTemplates(tt.req)
			requireInvalid(t, err, tt.field)
		})
	}
}

func TestValidateCreateTemplate(t *testing.T) {
	valid := CreateTemplateRequest{Name: "template name", Text: "test code is {code2fa}", Countries: []string{"ad", "IT", "Pt"}}
	got, err := validateCreateTemplate(valid)
	require.NoError(t, err)
	assert.Equal(t, CreateTemplateRequest{Name: "template name", Text: "test code is {code2fa}", Countries: []string{"AD", "IT", "PT"}}, got)
	got.Countries[0] = "XX"
	assert.Equal(t, "ad", valid.Countries[0], "the caller's slice is not shared")

	accepted := []CreateTemplateRequest{
		{Name: "abc", Text: "{code2fa}", Countries: []string{"UA"}},                                             // 9 runes exactly
		{Name: strings.Repeat("я", 50), Text: strings.Repeat("ж", 61) + "{code2fa}", Countries: []string{"UA"}}, // limits in runes
		{Name: "Ваш код", Text: "Код: {code2fa}\nНе передавайте его", Countries: []string{"ua"}},
	}
	for _, req := range accepted {
		_, err := validateCreateTemplate(req)
		assert.NoError(t, err, req.Name)
	}

	tests := []struct {
		name   string
		field  string
		change func(*CreateTemplateRequest)
		reason string
	}{
		{"name too short", "Name", func(r *CreateTemplateRequest) { r.Name = "ab" }, ""},
		{"name too long", "Name", func(r *CreateTemplateRequest) { r.Name = strings.Repeat("a", 51) }, ""},
		{"name blank", "Name", func(r *CreateTemplateRequest) { r.Name = "     " }, ""},
		{"name with newline", "Name", func(r *CreateTemplateRequest) { r.Name = "two\nlines" }, ""},
		{"name invalid UTF-8", "Name", func(r *CreateTemplateRequest) { r.Name = "abc\xff" }, ""},
		{"text too short", "Text", func(r *CreateTemplateRequest) { r.Text = "{code2fa" }, ""},
		{"text too long", "Text", func(r *CreateTemplateRequest) { r.Text = strings.Repeat("a", 62) + "{code2fa}" }, ""},
		{"text without code", "Text", func(r *CreateTemplateRequest) { r.Text = "your code is {code}" }, "required"},
		{"text with code twice", "Text", func(r *CreateTemplateRequest) { r.Text = "{code2fa} {code2fa}" }, "only once"},
		{"text invalid UTF-8", "Text", func(r *CreateTemplateRequest) { r.Text = "code {code2fa} \xff" }, ""},
		{"no countries", "Countries", func(r *CreateTemplateRequest) { r.Countries = nil }, "required"},
		{"empty countries", "Countries", func(r *CreateTemplateRequest) { r.Countries = []string{} }, "required"},
		{"bad country", "Countries", func(r *CreateTemplateRequest) { r.Countries = []string{"UA", "UKR"} }, ""},
		{"empty country", "Countries", func(r *CreateTemplateRequest) { r.Countries = []string{""} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := valid
			req.Countries = []string{"UA"}
			tt.change(&req)
			got, err := validateCreateTemplate(req)
			ve := requireInvalid(t, err, tt.field)
			assert.Contains(t, ve.Reason, tt.reason)
			assert.Nil(t, got.Countries)
		})
	}
}

func TestValidationErrorsAreDistinctFromServiceErrors(t *testing.T) {
	err := validateCode("12")
	assert.False(t, errors.Is(err, ErrWrongCode))
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr), "nothing was sent, so there is no status")
}

// TestNormalizeRecipientInternationalOnly: a number must start with its country calling
// code, so that one handset has one accepted form. A national trunk 0 ("097 996 5073") or an
// international prefix 00 is refused, with a reason that says what to write.
func TestNormalizeRecipientInternationalOnly(t *testing.T) {
	for _, in := range []string{
		"097 996 5073", "0979965073", "+0979965073", "+ 0 97 996 5073", "(097) 996-50-73",
		"00380979965073", "00 380 97 996 5073", "+00380979965073", "0044 20 7946 0958",
	} {
		t.Run(in, func(t *testing.T) {
			got, err := NormalizeRecipient(in)
			ve := requireInvalid(t, err, "Recipient")
			assert.Empty(t, got)
			assert.Contains(t, ve.Reason, "country calling code")
			assert.NotContains(t, ve.Error(), strings.TrimLeft(in, "+0 ("), "the number is not repeated")
		})
	}
	_, err := validateSendOTP(SendOTPRequest{Recipient: "097 996 5073", Channel: ChannelSMS, Sender: "SHOP", TemplateID: 12})
	requireInvalid(t, err, "Recipient")
	_, err = validateListAuthentications(ListAuthenticationsRequest{From: utc("2023-01-01 00:00:00"), To: utc("2023-01-02 00:00:00"), Recipient: "00380979965073"})
	requireInvalid(t, err, "Recipient")
}
