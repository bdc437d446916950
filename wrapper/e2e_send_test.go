package wrapper_test

// End-to-end tests of sending codes and of the messages a session sends (harness:
// e2e_harness_test.go).

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
)

func TestE2ESend(t *testing.T) {
	tests := []struct {
		name    string
		req     wrapper.SendOTPRequest
		country string
		// what the request's zero values default to
		lifetime         time.Duration
		maxTries, digits int
	}{
		{"sms to Ukraine, defaults", e2eSMS("+380 (67) 123-45-67"), "UA", 5 * time.Minute, 3, 6},
		{"sms to France", e2eSMS("+33 6 12 34 56 78"), "FR", 5 * time.Minute, 3, 6},
		{"sms to Portugal", e2eSMS("351912345678"), "PT", 5 * time.Minute, 3, 6},
		{"sms to Italy", e2eSMS("393123456789"), "IT", 5 * time.Minute, 3, 6},
		{"sms to Australia", e2eSMS("61412345678"), "AU", 5 * time.Minute, 3, 6},
		{"sms to the United Kingdom", e2eSMS("447911123456"), "GB", 5 * time.Minute, 3, 6},
		{"sms to the United States", e2eSMS("+1 (202) 555-0143"), "US", 5 * time.Minute, 3, 6},
		{"sms to Germany", e2eSMS("4915112345678"), "DE", 5 * time.Minute, 3, 6},
		{"sms to Poland", e2eSMS("48512345678"), "PL", 5 * time.Minute, 3, 6},
		{
			"viber with an SMS fallback sender, channel in capitals",
			wrapper.SendOTPRequest{
				Recipient: "+380671234567", Channel: "VIBER", Sender: "BSG Viber", SenderAlt: "BSG SMS",
				TemplateID: 1, CodeLifetime: 30 * time.Second, CodeMaxTries: 5, CodeDigits: 9,
			},
			"UA", 30 * time.Second, 5, 9,
		},
		{
			"short code, one try",
			wrapper.SendOTPRequest{
				Recipient: "33612345678", Channel: "Sms", Sender: "12345", TemplateID: 1,
				CodeLifetime: 300 * time.Second, CodeMaxTries: 1, CodeDigits: 3,
			},
			"FR", 300 * time.Second, 1, 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t)
			a := e.send(tt.req)
			want, err := wrapper.NormalizeRecipient(tt.req.Recipient)
			require.NoError(t, err)

			assert.Len(t, a.ID, 36)
			assert.Equal(t, want, a.Recipient)
			assert.Equal(t, wrapper.StatusPending, a.Status)
			assert.False(t, a.Status.Final())
			wantChannel := wrapper.ChannelSMS
			if tt.req.SenderAlt != "" {
				wantChannel = wrapper.ChannelViber
			}
			assert.Equal(t, wantChannel, a.Channel)
			assert.Equal(t, tt.req.Sender, a.Sender)
			assert.Equal(t, tt.req.SenderAlt, a.SenderAlt)
			assert.Equal(t, "Your code is {code}", a.MessageText)
			assert.Equal(t, tt.lifetime, a.CodeLifetime)
			assert.Equal(t, tt.maxTries, a.CodeMaxTries)
			assert.Equal(t, tt.digits, a.CodeDigits)
			assert.Equal(t, "0", a.Price.String())
			assert.True(t, a.Price.IsZero())
			assert.Equal(t, "USD", a.Currency)
			assert.Equal(t, tt.country, a.CountryCode)
			e2eSameTime(t, e2eStart, a.CreatedAt, "CreatedAt")
			e2eSameTime(t, e2eStart, a.UpdatedAt, "UpdatedAt")
			e2eSameTime(t, e2eStart.Add(tt.lifetime), a.ExpiredAt, "ExpiredAt")
			assert.True(t, a.FinishedAt.IsZero(), "FinishedAt is zero while pending")

			code := e.code(a.ID)
			assert.Len(t, code, tt.digits)
			assert.Empty(t, strings.Trim(code, "0123456789"), "digits only")

			got := e.get(a.ID)
			require.Len(t, got.Messages, 1)
			assert.Equal(t, wantChannel, got.Messages[0].Channel)
			assert.Equal(t, want, got.Messages[0].Recipient)
		})
	}
}

func TestE2ESendErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		opts   []sandbox.Option
		before func(t *testing.T, e *e2eEnv) // sessions and templates the case needs
		req    wrapper.SendOTPRequest
		want   error
		status int
	}{
		{
			name:   "unknown template",
			req:    wrapper.SendOTPRequest{Recipient: e2eUA, Channel: wrapper.ChannelSMS, Sender: "BSG", TemplateID: 999},
			want:   wrapper.ErrTemplateNotFound,
			status: http.StatusNotFound,
		},
		{
			name: "template requested, not approved",
			before: func(t *testing.T, e *e2eEnv) {
				tmpl, err := e.c.CreateTemplate(ctx, wrapper.CreateTemplateRequest{Name: "Pending", Text: "Code {code2fa}", Countries: []string{"UA"}})
				require.NoError(t, err)
				require.Equal(t, 2, tmpl.ID)
			},
			req:    wrapper.SendOTPRequest{Recipient: e2eUA, Channel: wrapper.ChannelSMS, Sender: "BSG", TemplateID: 2},
			want:   wrapper.ErrTemplateNotApproved,
			status: http.StatusUnprocessableEntity,
		},
		{
			name: "template rejected",
			before: func(t *testing.T, e *e2eEnv) {
				_, err := e.c.CreateTemplate(ctx, wrapper.CreateTemplateRequest{Name: "Refused", Text: "Code {code2fa}", Countries: []string{"UA"}})
				require.NoError(t, err)
				require.NoError(t, e.sb.RejectTemplate(2))
			},
			req:    wrapper.SendOTPRequest{Recipient: e2eUA, Channel: wrapper.ChannelSMS, Sender: "BSG", TemplateID: 2},
			want:   wrapper.ErrTemplateNotApproved,
			status: http.StatusUnprocessableEntity,
		},
		{
			name:   "country not among the template's",
			opts:   []sandbox.Option{sandbox.WithApprovedTemplate(7, "France", "Votre code {code2fa}", "FR")},
			req:    wrapper.SendOTPRequest{Recipient: e2eUA, Channel: wrapper.ChannelSMS, Sender: "BSG", TemplateID: 7},
			want:   wrapper.ErrTemplateNotAvailable,
			status: http.StatusUnprocessableEntity,
		},
		{
			name:   "recipient on the stop list",
			opts:   []sandbox.Option{sandbox.WithStopList("+" + e2eUA)},
			req:    e2eSMS("+380 67 123 45 67"),
			want:   wrapper.ErrStopList,
			status: http.StatusUnprocessableEntity,
		},
		{
			name:   "pending limit",
			opts:   []sandbox.Option{sandbox.WithPendingLimit(2)},
			before: func(_ *testing.T, e *e2eEnv) { e.send(e2eSMS(e2eUA)); e.send(e2eSMS("33612345678")) },
			req:    e2eSMS("447911123456"),
			want:   wrapper.ErrPendingLimit,
			status: http.StatusUnprocessableEntity,
		},
		{
			name:   "total limit",
			opts:   []sandbox.Option{sandbox.WithTotalLimit(1)},
			before: func(_ *testing.T, e *e2eEnv) { e.verify(e.send(e2eSMS(e2eUA)).ID) },
			req:    e2eSMS(e2eUA),
			want:   wrapper.ErrTotalLimit,
			status: http.StatusUnprocessableEntity,
		},
		{
			name:   "balance exhausted",
			opts:   []sandbox.Option{sandbox.WithBalance("0.1")}, // one message of 0.0642918
			before: func(_ *testing.T, e *e2eEnv) { e.send(e2eSMS(e2eUA)) },
			req:    e2eSMS(e2eUA),
			want:   wrapper.ErrInsufficientFunds,
			status: http.StatusPaymentRequired,
		},
		{
			name:   "zero balance",
			opts:   []sandbox.Option{sandbox.WithBalance("0")},
			req:    e2eSMS(e2eUA),
			want:   wrapper.ErrInsufficientFunds,
			status: http.StatusPaymentRequired,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t, tt.opts...)
			if tt.before != nil {
				tt.before(t, e)
			}
			a, err := e.c.SendOTP(ctx, tt.req)
			e2eRequireErr(t, err, tt.want, tt.status)
			assert.Nil(t, a)
		})
	}
}

// TestE2ESendPendingLimitFreed shows that a finished session no longer counts as pending.
func TestE2ESendPendingLimitFreed(t *testing.T) {
	tests := []struct {
		name   string
		finish func(e *e2eEnv, id string)
	}{
		{"verified", (*e2eEnv).verify},
		{"canceled", (*e2eEnv).cancel},
		{"failed", (*e2eEnv).fail},
		{"expired", (*e2eEnv).expire},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t, sandbox.WithPendingLimit(1))
			a := e.send(e2eSMS(e2eUA))
			_, err := e.c.SendOTP(context.Background(), e2eSMS(e2eUA))
			e2eRequireErr(t, err, wrapper.ErrPendingLimit, http.StatusUnprocessableEntity)
			tt.finish(e, a.ID)
			e.send(e2eSMS(e2eUA))
		})
	}
}

func TestE2ERateLimited(t *testing.T) {
	e := newE2E(t, sandbox.WithRateLimit(2))
	c := e.client(e2eKey, wrapper.WithMaxRetries(0))
	ctx := context.Background()
	_, err := c.GetTemplate(ctx, 1) // the login and this call take both tokens
	require.NoError(t, err)
	_, err = c.GetTemplate(ctx, 1)
	e2eRequireErr(t, err, wrapper.ErrRateLimited, http.StatusTooManyRequests)
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, time.Second, apiErr.RetryAfter)

	e.clock.Advance(time.Second)
	_, err = c.GetTemplate(ctx, 1)
	require.NoError(t, err)
}

func TestE2EMessages(t *testing.T) {
	tests := []struct {
		name    string
		opts    []sandbox.Option
		req     wrapper.SendOTPRequest
		delay   time.Duration
		price   string
		channel wrapper.Channel
	}{
		{"sms, default delivery delay", nil, e2eSMS("+44 7911 123456"), 2 * time.Second, e2eMsgPrice, wrapper.ChannelSMS},
		{
			"viber, custom delay and price",
			[]sandbox.Option{sandbox.WithDeliveryDelay(10 * time.Second), sandbox.WithMessagePrice("0,5"), sandbox.WithCurrency("eur")},
			wrapper.SendOTPRequest{Recipient: e2eUA, Channel: wrapper.ChannelViber, Sender: "BSG", SenderAlt: "BSGSMS", TemplateID: 1},
			10 * time.Second, "0.5", wrapper.ChannelViber,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t, tt.opts...)
			a := e.send(tt.req)
			assert.Empty(t, a.Messages, "a send answers without messages")

			check := func(m wrapper.Message, status wrapper.MessageStatus, created time.Time) {
				t.Helper()
				assert.NotEmpty(t, m.ID)
				_, err := strconv.Atoi(m.ID)
				assert.NoError(t, err, "a numeric message id becomes its decimal string")
				assert.Equal(t, status, m.Status)
				assert.Equal(t, a.Recipient, m.Recipient)
				assert.Equal(t, tt.channel, m.Channel)
				assert.Equal(t, tt.req.Sender, m.Sender)
				assert.Equal(t, a.MessageText, m.Text)
				assert.Equal(t, tt.price, m.Price.String())
				assert.Equal(t, a.Currency, m.Currency)
				e2eSameTime(t, created, m.CreatedAt, "message CreatedAt")
				if status == wrapper.MessageDelivered {
					e2eSameTime(t, created.Add(tt.delay), m.SentAt, "message SentAt")
				} else {
					assert.True(t, m.SentAt.IsZero(), "SentAt is zero until delivered")
				}
			}

			got := e.get(a.ID)
			require.Len(t, got.Messages, 1)
			check(got.Messages[0], wrapper.MessageAccepted, e2eStart)

			e.clock.Advance(tt.delay - time.Second)
			check(e.get(a.ID).Messages[0], wrapper.MessageAccepted, e2eStart)

			e.clock.Advance(time.Second)
			_, err := e.c.ResendOTP(context.Background(), a.ID)
			require.NoError(t, err)
			got = e.get(a.ID)
			require.Len(t, got.Messages, 2)
			check(got.Messages[0], wrapper.MessageDelivered, e2eStart)
			check(got.Messages[1], wrapper.MessageAccepted, e2eStart.Add(tt.delay))

			e.verify(a.ID)
			e.clock.Advance(tt.delay)
			got = e.get(a.ID)
			assert.Equal(t, wrapper.StatusVerified, got.Status)
			require.Len(t, got.Messages, 2)
			check(got.Messages[1], wrapper.MessageDelivered, e2eStart.Add(tt.delay))
		})
	}
}
