package wrapper

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/go-bsg/bsg2fa/internal/money"
)

// The result types encode to JSON in the service's own field names and units, so that what a
// program logs, caches or prints reads like the service's answers:
//
//   - keys in snake_case, as the service writes them ("code_lifetime", "template_id");
//   - code_lifetime in seconds: a whole number for every lifetime the service reports (a
//     Duration that is not whole seconds is written with the fraction, never rounded);
//   - times in RFC 3339, in UTC, and null when absent (the zero time.Time);
//   - prices as exact decimal strings ("0.02");
//   - sender_alt null when empty, lists as [] when empty, never null.
//
// Decoding accepts that form and every shape the service sends: "0,02" and 50.25 prices,
// "2023-01-04 17:37:06" and RFC 3339 timestamps, null or empty times, message and template
// ids as numbers or strings, "SMS" for sms, and a page either as {"list": […], "total": n}
// or as the service's {"data": …} answers. A value the client returns, and any value decoded
// from JSON, comes back unchanged (reflect.DeepEqual) from encoding and decoding again. Empty
// lists read back as nil (Messages, Countries; nil Countries means every country) or as an
// empty, non-nil list (page Items), as the client returns them; so a page built with nil Items
// reads back with empty ones.

// errInvalidJSONValue is wrapped by the errors of the decoders in this file.
var errInvalidJSONValue = errors.New("bsg2fa: invalid JSON value")

// wireAuthentication is Authentication in the service's field names.
type wireAuthentication struct {
	ID           jsonID      `json:"id"`
	Recipient    string      `json:"recipient"`
	Status       Status      `json:"status"`
	Channel      Channel     `json:"channel"`
	Sender       string      `json:"sender"`
	SenderAlt    *string     `json:"sender_alt"`
	MessageText  string      `json:"message_text"`
	CodeLifetime jsonSeconds `json:"code_lifetime"`
	CodeMaxTries int         `json:"code_max_tries"`
	CodeDigits   int         `json:"code_digits"`
	Price        Price       `json:"price"`
	Currency     string      `json:"currency"`
	CountryCode  string      `json:"country_code"`
	ExpiredAt    jsonTime    `json:"expired_at"`
	CreatedAt    jsonTime    `json:"created_at"`
	UpdatedAt    jsonTime    `json:"updated_at"`
	FinishedAt   jsonTime    `json:"finished_at"`
	Messages     []Message   `json:"messages"`
}

// MarshalJSON writes the session in the service's field names and units.
func (a Authentication) MarshalJSON() ([]byte, error) {
	out := wireAuthentication{
		ID:           jsonID(a.ID),
		Recipient:    a.Recipient,
		Status:       a.Status,
		Channel:      a.Channel,
		Sender:       a.Sender,
		MessageText:  a.MessageText,
		CodeLifetime: jsonSeconds(a.CodeLifetime),
		CodeMaxTries: a.CodeMaxTries,
		CodeDigits:   a.CodeDigits,
		Price:        a.Price,
		Currency:     a.Currency,
		CountryCode:  a.CountryCode,
		ExpiredAt:    jsonTime(a.ExpiredAt),
		CreatedAt:    jsonTime(a.CreatedAt),
		UpdatedAt:    jsonTime(a.UpdatedAt),
		FinishedAt:   jsonTime(a.FinishedAt),
		Messages:     nonNil(a.Messages),
	}
	if a.SenderAlt != "" {
		out.SenderAlt = &a.SenderAlt
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads a session written by MarshalJSON or by the service.
func (a *Authentication) UnmarshalJSON(b []byte) error {
	var in wireAuthentication
	if ok, err := decodeWire(b, &in); !ok {
		return err
	}
	*a = Authentication{
		ID:           string(in.ID),
		Recipient:    in.Recipient,
		Status:       in.Status,
		Channel:      parseChannel(string(in.Channel)),
		Sender:       in.Sender,
		MessageText:  in.MessageText,
		CodeLifetime: time.Duration(in.CodeLifetime),
		CodeMaxTries: in.CodeMaxTries,
		CodeDigits:   in.CodeDigits,
		Price:        in.Price,
		Currency:     in.Currency,
		CountryCode:  in.CountryCode,
		ExpiredAt:    time.Time(in.ExpiredAt),
		CreatedAt:    time.Time(in.CreatedAt),
		UpdatedAt:    time.Time(in.UpdatedAt),
		FinishedAt:   time.Time(in.FinishedAt),
		Messages:     nilIfEmpty(in.Messages),
	}
	if in.SenderAlt != nil {
		a.SenderAlt = *in.SenderAlt
	}
	return nil
}

// wireMessage is Message in the service's field names.
type wireMessage struct {
	ID        jsonID        `json:"id"`
	Recipient string        `json:"recipient"`
	Status    MessageStatus `json:"status"`
	Channel   Channel       `json:"channel"`
	Sender    string        `json:"sender"`
	Text      string        `json:"text"`
	Price     Price         `json:"price"`
	Currency  string        `json:"currency"`
	SentAt    jsonTime      `json:"sent_at"`
	CreatedAt jsonTime      `json:"created_at"`
}

// MarshalJSON writes the message in the service's field names; the id is always a string.
func (m Message) MarshalJSON() ([]byte, error) {
	return json.Marshal(wireMessage{
		ID:        jsonID(m.ID),
		Recipient: m.Recipient,
		Status:    m.Status,
		Channel:   m.Channel,
		Sender:    m.Sender,
		Text:      m.Text,
		Price:     m.Price,
		Currency:  m.Currency,
		SentAt:    jsonTime(m.SentAt),
		CreatedAt: jsonTime(m.CreatedAt),
	})
}

// UnmarshalJSON reads a message written by MarshalJSON or by the service (an integer id
// becomes its decimal string).
func (m *Message) UnmarshalJSON(b []byte) error {
	var in wireMessage
	if ok, err := decodeWire(b, &in); !ok {
		return err
	}
	*m = Message{
		ID:        string(in.ID),
		Recipient: in.Recipient,
		Status:    in.Status,
		Channel:   parseChannel(string(in.Channel)),
		Sender:    in.Sender,
		Text:      in.Text,
		Price:     in.Price,
		Currency:  in.Currency,
		SentAt:    time.Time(in.SentAt),
		CreatedAt: time.Time(in.CreatedAt),
	}
	return nil
}

// wireTemplate is Template in the service's field names.
type wireTemplate struct {
	ID        jsonInt        `json:"template_id"`
	Name      string         `json:"name"`
	Text      string         `json:"text"`
	Countries []string       `json:"countries"`
	Status    TemplateStatus `json:"status"`
	UpdatedAt jsonTime       `json:"updated_at"`
}

// MarshalJSON writes the template in the service's field names; its id is "template_id".
func (t Template) MarshalJSON() ([]byte, error) {
	return json.Marshal(wireTemplate{
		ID:        jsonInt(t.ID),
		Name:      t.Name,
		Text:      t.Text,
		Countries: nonNil(t.Countries),
		Status:    t.Status,
		UpdatedAt: jsonTime(t.UpdatedAt),
	})
}

// UnmarshalJSON reads a template written by MarshalJSON or by the service (the id as a
// number or a digit string).
func (t *Template) UnmarshalJSON(b []byte) error {
	var in wireTemplate
	if ok, err := decodeWire(b, &in); !ok {
		return err
	}
	*t = Template{
		ID:        int(in.ID),
		Name:      in.Name,
		Text:      in.Text,
		Countries: nilIfEmpty(in.Countries),
		Status:    in.Status,
		UpdatedAt: time.Time(in.UpdatedAt),
	}
	return nil
}

// wirePage is a page in the service's field names: the items under "list", as in the
// service's {"data": {"list": […], "total": n}}.
type wirePage[T any] struct {
	List  []T `json:"list"`
	Total int `json:"total"`
}

// MarshalJSON writes {"list": […], "total": n}.
func (p AuthenticationPage) MarshalJSON() ([]byte, error) {
	return json.Marshal(wirePage[Authentication]{List: nonNil(p.Items), Total: p.Total})
}

// UnmarshalJSON reads {"list": […], "total": n} and the service's list answers,
// {"data": {"list": […], "total": n}} and {"data": […], "total": n}.
func (p *AuthenticationPage) UnmarshalJSON(b []byte) error {
	items, total, ok, err := unmarshalPage[Authentication](b)
	if ok {
		*p = AuthenticationPage{Items: items, Total: total}
	}
	return err
}

// MarshalJSON writes {"list": […], "total": n}.
func (p TemplatePage) MarshalJSON() ([]byte, error) {
	return json.Marshal(wirePage[Template]{List: nonNil(p.Items), Total: p.Total})
}

// UnmarshalJSON reads {"list": […], "total": n} and the service's list answers,
// {"data": {"list": […], "total": n}} and {"data": […], "total": n}.
func (p *TemplatePage) UnmarshalJSON(b []byte) error {
	items, total, ok, err := unmarshalPage[Template](b)
	if ok {
		*p = TemplatePage{Items: items, Total: total}
	}
	return err
}

// unmarshalPage reads the items and total of a page in any of its shapes; the items are
// never nil. ok is false when nothing is to be set: for null, or on an error.
func unmarshalPage[T any](b []byte) (items []T, total int, ok bool, err error) {
	var in struct {
		wirePage[T]
		Data json.RawMessage `json:"data"`
	}
	if ok, err := decodeWire(b, &in); !ok {
		return nil, 0, false, err
	}
	switch data := trimJSONSpace(in.Data); {
	case len(data) > 0 && data[0] == '[':
		if err := json.Unmarshal(data, &in.List); err != nil {
			return nil, 0, false, err
		}
	case len(data) > 0 && data[0] == '{':
		var inner wirePage[T]
		if err := json.Unmarshal(data, &inner); err != nil {
			return nil, 0, false, err
		}
		in.List = inner.List
		in.Total = max(in.Total, inner.Total)
	}
	return nonNil(in.List), in.Total, true, nil
}

// decodeWire decodes b into the wire form in. ok is false when the value must be left as it
// is: for null (err is nil, as encoding/json leaves a value at null) or on an error.
func decodeWire[W any](b []byte, in *W) (ok bool, err error) {
	if isJSONNull(b) {
		return false, nil
	}
	if err := json.Unmarshal(b, in); err != nil {
		return false, err
	}
	return true, nil
}

// jsonTime is a time as the JSON form writes it: RFC 3339 in UTC, null for the zero time.
type jsonTime time.Time

func (t jsonTime) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	if tt.IsZero() {
		return []byte("null"), nil
	}
	return tt.UTC().MarshalJSON()
}

// UnmarshalJSON reads null, "" (the zero time) or a string in the forms parseTimestamp
// accepts; the result is in UTC. Years outside 0000 to 9999 are refused, as RFC 3339 cannot
// write them.
func (t *jsonTime) UnmarshalJSON(b []byte) error {
	if isJSONNull(b) {
		*t = jsonTime{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%w: a time must be a string or null", errInvalidJSONValue)
	}
	tt, err := parseTimestamp(s)
	if err != nil {
		return err
	}
	if !tt.IsZero() && (tt.Year() < 0 || tt.Year() > 9999) {
		return fmt.Errorf("%w: %q is outside the years 0000 to 9999 in UTC", errInvalidTimestamp, s)
	}
	*t = jsonTime(tt)
	return nil
}

// jsonSeconds is a duration written in seconds: a JSON integer when it is whole seconds,
// otherwise a decimal with up to nine digits after the point.
type jsonSeconds time.Duration

// MarshalJSON writes the seconds as a decimal: nanoseconds are a coefficient of scale 9.
func (d jsonSeconds) MarshalJSON() ([]byte, error) {
	return money.Append(nil, int64(d), 9, '.'), nil
}

// UnmarshalJSON reads seconds as a JSON number (300, 1.5) or a string holding one; null is
// zero. Values with more than nine decimals or beyond a time.Duration are refused.
func (d *jsonSeconds) UnmarshalJSON(b []byte) error {
	if isJSONNull(b) {
		*d = 0
		return nil
	}
	raw := trimJSONSpace(b)
	parse := money.ParseJSONNumber[[]byte]
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("%w: seconds %s", errInvalidJSONValue, raw)
		}
		raw, parse = []byte(s), money.Parse[[]byte]
	}
	if string(raw) == minDurationSeconds {
		// The one duration whose coefficient is −2⁶³, which internal/money never returns.
		*d = math.MinInt64
		return nil
	}
	coef, scale, ok := parse(raw)
	if !ok || scale > 9 {
		return fmt.Errorf("%w: seconds %q", errInvalidJSONValue, clip(raw))
	}
	mul := int64(pow10u[9-scale])
	if coef > math.MaxInt64/mul || coef < math.MinInt64/mul {
		return fmt.Errorf("%w: %q seconds overflow a duration", errInvalidJSONValue, clip(raw))
	}
	*d = jsonSeconds(coef * mul)
	return nil
}

// minDurationSeconds is the most negative time.Duration in seconds, as MarshalJSON writes it.
const minDurationSeconds = "-9223372036.854775808"

// jsonID is an id written as a string and read from a string or an integer.
type jsonID string

func (id *jsonID) UnmarshalJSON(b []byte) error {
	s, err := messageID(b)
	if err != nil {
		return fmt.Errorf("%w: id %q", errInvalidJSONValue, clip(b))
	}
	*id = jsonID(s)
	return nil
}

// jsonInt is an integer written as a JSON number and read from a number or a string of an
// optional '-' and digits; null is zero.
type jsonInt int

func (n *jsonInt) UnmarshalJSON(b []byte) error {
	raw := trimJSONSpace(b)
	if isJSONNull(raw) {
		*n = 0
		return nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("%w: id %q", errInvalidJSONValue, clip(raw))
		}
		raw = []byte(s)
	}
	v, err := strconv.Atoi(string(raw))
	if err != nil || len(raw) == 0 || raw[0] == '+' {
		return fmt.Errorf("%w: id %q", errInvalidJSONValue, clip(raw))
	}
	*n = jsonInt(v)
	return nil
}

// isJSONNull reports whether raw is the literal null (or nothing).
func isJSONNull(raw []byte) bool {
	raw = trimJSONSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// clip shortens a value quoted in an error.
func clip(b []byte) string {
	const maxShown = 40
	if len(b) > maxShown {
		return string(b[:maxShown]) + "…"
	}
	return string(b)
}

// nonNil returns s, or an empty slice for nil, so that it encodes as [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// nilIfEmpty returns nil for an empty slice, as the client returns empty lists.
func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}
