package wrapper_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
)

func mustPrice(t testing.TB, s string) wrapper.Price {
	t.Helper()
	p, err := wrapper.ParsePrice(s)
	require.NoError(t, err)
	return p
}

// TestJSONForm pins the encoded form: the service's field names, seconds, RFC 3339 UTC times,
// null for absent times and an empty sender_alt, exact price strings, [] for empty lists.
func TestJSONForm(t *testing.T) {
	at := time.Date(2023, 1, 4, 17, 37, 6, 0, time.UTC)
	kyiv := time.FixedZone("EET", 2*3600)
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{
			name: "pending session without messages",
			value: wrapper.Authentication{
				ID: "bf4381c8-9d4a-4705-bd28-f89a830b7f96", Recipient: "380979965073",
				Status: wrapper.StatusPending, Channel: wrapper.ChannelSMS, Sender: "SENDER",
				MessageText: "Your code: {code}", CodeLifetime: 5 * time.Minute, CodeMaxTries: 3, CodeDigits: 5,
				Price: mustPrice(t, "0,02"), Currency: "USD", CountryCode: "UA",
				ExpiredAt: at.Add(time.Hour).In(kyiv), CreatedAt: at,
			},
			want: `{"id":"bf4381c8-9d4a-4705-bd28-f89a830b7f96","recipient":"380979965073","status":"pending",` +
				`"channel":"sms","sender":"SENDER","sender_alt":null,"message_text":"Your code: {code}",` +
				`"code_lifetime":300,"code_max_tries":3,"code_digits":5,"price":"0.02","currency":"USD",` +
				`"country_code":"UA","expired_at":"2023-01-04T18:37:06Z","created_at":"2023-01-04T17:37:06Z",` +
				`"updated_at":null,"finished_at":null,"messages":[]}`,
		},
		{
			name: "verified session with a message",
			value: wrapper.Authentication{
				ID: "a", Status: wrapper.StatusVerified, Channel: wrapper.ChannelViber, SenderAlt: "ShopSMS",
				CodeLifetime: 1500 * time.Millisecond, Price: mustPrice(t, "50.25"),
				FinishedAt: at.Add(123 * time.Millisecond),
				Messages: []wrapper.Message{{ID: "1445088940", Status: wrapper.MessageDelivered, Channel: wrapper.ChannelViber,
					Price: mustPrice(t, "0.0642918"), Currency: "EUR", CreatedAt: at}},
			},
			want: `{"id":"a","recipient":"","status":"verified","channel":"viber","sender":"","sender_alt":"ShopSMS",` +
				`"message_text":"","code_lifetime":1.5,"code_max_tries":0,"code_digits":0,"price":"50.25",` +
				`"currency":"","country_code":"","expired_at":null,"created_at":null,"updated_at":null,` +
				`"finished_at":"2023-01-04T17:37:06.123Z","messages":[{"id":"1445088940","recipient":"",` +
				`"status":"delivered","channel":"viber","sender":"","text":"","price":"0.0642918",` +
				`"currency":"EUR","sent_at":null,"created_at":"2023-01-04T17:37:06Z"}]}`,
		},
		{
			name:  "template for every country",
			value: wrapper.Template{ID: 1, Name: "Default", Text: "Your code is {code2fa}", Status: wrapper.TemplateApproved},
			want:  `{"template_id":1,"name":"Default","text":"Your code is {code2fa}","countries":[],"status":"approved","updated_at":null}`,
		},
		{
			name:  "empty session page",
			value: wrapper.AuthenticationPage{},
			want:  `{"list":[],"total":0}`,
		},
		{
			name: "template page",
			value: wrapper.TemplatePage{Total: 7, Items: []wrapper.Template{{ID: 49, Countries: []string{"PT", "UA"},
				Status: wrapper.TemplateRequested, UpdatedAt: at}}},
			want: `{"list":[{"template_id":49,"name":"","text":"","countries":["PT","UA"],"status":"requested",` +
				`"updated_at":"2023-01-04T17:37:06Z"}],"total":7}`,
		},
		{
			name:  "a pointer encodes the same",
			value: &wrapper.Message{ID: "m", SentAt: at},
			want: `{"id":"m","recipient":"","status":"","channel":"","sender":"","text":"","price":"0",` +
				`"currency":"","sent_at":"2023-01-04T17:37:06Z","created_at":null}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.value)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(got))
			assert.Equal(t, tt.want, string(got), "field order follows the service's documentation")
		})
	}
}

// TestJSONRefusesUnwritableTimes: RFC 3339 has four-digit years only.
func TestJSONRefusesUnwritableTimes(t *testing.T) {
	_, err := json.Marshal(wrapper.Template{UpdatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	require.Error(t, err)

	var tpl wrapper.Template
	require.Error(t, json.Unmarshal([]byte(`{"updated_at":"9999-12-31T23:30:00-01:00"}`), &tpl))
}

// TestJSONDecodesServiceShapes reads every shape the service sends, from the answers the
// documentation page and the vendor's file show.
func TestJSONDecodesServiceShapes(t *testing.T) {
	at := time.Date(2023, 1, 4, 17, 37, 6, 0, time.UTC)
	t.Run("session", func(t *testing.T) {
		var a wrapper.Authentication
		require.NoError(t, json.Unmarshal([]byte(`{"id":"bf43","recipient":"380979965073","status":"pending",
			"channel":"SMS","sender":"SENDER","sender_alt":null,"code_lifetime":300,"code_max_tries":3,
			"code_digits":5,"price":"0,02","currency":"USD","country_code":"UA",
			"expired_at":"2023-01-04 18:37:06","created_at":"2023-01-04T17:37:06+00:00","updated_at":"",
			"finished_at":null,"messages":[{"id":1445088940,"status":"accepted","price":0.0642918,
			"sent_at":null,"created_at":"2023-01-04 19:37:06+02:00"}]}`), &a))
		assert.Equal(t, wrapper.Authentication{
			ID: "bf43", Recipient: "380979965073", Status: wrapper.StatusPending, Channel: wrapper.ChannelSMS,
			Sender: "SENDER", CodeLifetime: 300 * time.Second, CodeMaxTries: 3, CodeDigits: 5,
			Price: mustPrice(t, "0.02"), Currency: "USD", CountryCode: "UA",
			ExpiredAt: at.Add(time.Hour), CreatedAt: at,
			Messages: []wrapper.Message{{ID: "1445088940", Status: wrapper.MessageAccepted,
				Price: mustPrice(t, "0.0642918"), CreatedAt: at}},
		}, a)
	})
	t.Run("template ids as strings and numbers", func(t *testing.T) {
		for raw, want := range map[string]int{`"49"`: 49, `515`: 515, `null`: 0} {
			var tpl wrapper.Template
			require.NoError(t, json.Unmarshal([]byte(`{"template_id":`+raw+`,"countries":[]}`), &tpl), raw)
			assert.Equal(t, wrapper.Template{ID: want}, tpl, raw)
		}
	})
	t.Run("lifetimes", func(t *testing.T) {
		for raw, want := range map[string]time.Duration{
			`30`: 30 * time.Second, `"30"`: 30 * time.Second, `1.5`: 1500 * time.Millisecond, `3e1`: 30 * time.Second,
			`null`: 0, `-9223372036.854775808`: math.MinInt64, `9223372036.854775807`: math.MaxInt64,
		} {
			var a wrapper.Authentication
			require.NoError(t, json.Unmarshal([]byte(`{"code_lifetime":`+raw+`}`), &a), raw)
			assert.Equal(t, want, a.CodeLifetime, raw)
		}
		for _, raw := range []string{`9223372037`, `0.0000000001`, `"x"`, `true`, `[]`} {
			var a wrapper.Authentication
			assert.Error(t, json.Unmarshal([]byte(`{"code_lifetime":`+raw+`}`), &a), raw)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		for _, body := range []string{
			`{"price":"1e3"}`, `{"created_at":"yesterday"}`, `{"created_at":5}`, `{"id":true}`, `{"id":1.5}`,
			`{"messages":[{"id":{}}]}`, `[]`,
		} {
			var a wrapper.Authentication
			assert.Error(t, json.Unmarshal([]byte(body), &a), body)
		}
		for _, body := range []string{`{"template_id":"4x"}`, `{"template_id":"+4"}`, `{"template_id":1.5}`} {
			var tpl wrapper.Template
			assert.Error(t, json.Unmarshal([]byte(body), &tpl), body)
		}
	})

	// The answers of the documentation page and the vendor's file, envelope and all.
	pages := []struct {
		file  string
		into  any
		items func(any) int
		total int
	}{
		{"docs/list_200.json", &wrapper.AuthenticationPage{}, func(v any) int { return len(v.(*wrapper.AuthenticationPage).Items) }, 100},
		{"vendor/list_200.json", &wrapper.AuthenticationPage{}, func(v any) int { return len(v.(*wrapper.AuthenticationPage).Items) }, 100},
		{"docs/template_list_200.json", &wrapper.TemplatePage{}, func(v any) int { return len(v.(*wrapper.TemplatePage).Items) }, 1},
		{"vendor/template_list_200.json", &wrapper.TemplatePage{}, func(v any) int { return len(v.(*wrapper.TemplatePage).Items) }, 100},
	}
	for _, p := range pages {
		t.Run(p.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("..", "api", "testdata", p.file))
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(body, p.into))
			assert.Positive(t, p.items(p.into))
			assert.Equal(t, p.total, reflect.ValueOf(p.into).Elem().FieldByName("Total").Interface())
			assertRoundTrip(t, p.into)
		})
	}
	singles := []struct {
		file string
		into any
	}{
		{"docs/send_201.json", &wrapper.Authentication{}},
		{"docs/status_200.json", &wrapper.Authentication{}},
		{"vendor/status_200.json", &wrapper.Authentication{}},
		{"vendor/template_get_200.json", &wrapper.Template{}},
		{"docs/template_create_200.json", &wrapper.Template{}},
	}
	for _, s := range singles {
		t.Run(s.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("..", "api", "testdata", s.file))
			require.NoError(t, err)
			var env struct{ Data json.RawMessage }
			require.NoError(t, json.Unmarshal(body, &env))
			require.NoError(t, json.Unmarshal(env.Data, s.into))
			assert.NotZero(t, reflect.ValueOf(s.into).Elem().Interface())
			assertRoundTrip(t, s.into)
		})
	}
}

// assertRoundTrip checks that v (a pointer) encodes and decodes back to itself, and that a
// second encoding is byte for byte the first.
func assertRoundTrip(t testing.TB, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	back := reflect.New(reflect.TypeOf(v).Elem())
	require.NoError(t, json.Unmarshal(b, back.Interface()), "%s", b)
	require.Equal(t, reflect.ValueOf(v).Elem().Interface(), back.Elem().Interface(), "%s", b)
	again, err := json.Marshal(back.Interface())
	require.NoError(t, err)
	require.Equal(t, string(b), string(again))
}

// TestJSONRoundTripsClientValues checks that what the client returns from a live exchange
// comes back unchanged from its JSON form.
func TestJSONRoundTripsClientValues(t *testing.T) {
	ctx := t.Context()
	clock := testkit.NewClock()
	sb := sandbox.New(sandbox.WithClock(clock.Now), sandbox.WithRand(rand.NewChaCha8([32]byte{'j', 's', 'o', 'n'})),
		sandbox.WithDeliveryDelay(time.Second))
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	c, err := wrapper.New("json-round-trip-key", wrapper.WithBaseURL(srv.URL))
	require.NoError(t, err)

	sent, err := c.SendOTP(ctx, wrapper.SendOTPRequest{Recipient: "380501234567", Channel: wrapper.ChannelViber,
		Sender: "Shop", SenderAlt: "ShopSMS", TemplateID: 1})
	require.NoError(t, err)
	assertRoundTrip(t, sent)
	clock.Advance(2 * time.Second)
	code, ok := sb.LastCode(sent.ID)
	require.True(t, ok)
	verified, err := c.VerifyOTP(ctx, sent.ID, code)
	require.NoError(t, err)
	assertRoundTrip(t, verified)
	status, err := c.GetAuthentication(ctx, sent.ID)
	require.NoError(t, err)
	require.NotEmpty(t, status.Messages)
	assertRoundTrip(t, status)

	day := testkit.Epoch.Truncate(24 * time.Hour)
	page, err := c.ListAuthenticationsPage(ctx, wrapper.ListAuthenticationsRequest{From: day, To: day})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assertRoundTrip(t, page)
	empty, err := c.ListAuthenticationsPage(ctx, wrapper.ListAuthenticationsRequest{From: day, To: day, Status: wrapper.StatusPending})
	require.NoError(t, err)
	assertRoundTrip(t, empty)

	tpl, err := c.CreateTemplate(ctx, wrapper.CreateTemplateRequest{Name: "Login", Text: "Login code {code2fa}", Countries: []string{"UA"}})
	require.NoError(t, err)
	assertRoundTrip(t, tpl)
	def, err := c.GetTemplate(ctx, 1)
	require.NoError(t, err)
	assertRoundTrip(t, def)
	tpls, err := c.ListTemplatesPage(ctx, wrapper.ListTemplatesRequest{})
	require.NoError(t, err)
	require.Len(t, tpls.Items, 2)
	assertRoundTrip(t, tpls)
}
