package wrapper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-bsg/bsg2fa/gen"
)

// fieldError says which field of an answer could not be mapped, and why.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return "field " + e.field + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

var (
	errMissing       = errors.New("missing")
	errNotIDNumber   = errors.New("not an integer id")
	errLifetimeRange = errors.New("negative, or longer than a time.Duration holds")
)

// maxLifetimeSeconds is the longest code_lifetime a time.Duration holds: the largest
// Duration, 2⁶³−1 nanoseconds, in whole seconds.
const maxLifetimeSeconds = int64((1<<63 - 1) / time.Second)

// toAuthentication maps gen's session to ours. Unknown statuses and channels are kept as they
// came; a missing id, a price or a timestamp that cannot be read is an error.
func toAuthentication(g *gen.Authentication, a *Authentication) error {
	if g.Id == "" {
		return &fieldError{"id", errMissing}
	}
	price, err := priceFromJSON(rawJSON(g.Price))
	if err != nil {
		return &fieldError{"price", err}
	}
	if g.CodeLifetime < 0 || int64(g.CodeLifetime) > maxLifetimeSeconds {
		return &fieldError{"code_lifetime", errLifetimeRange}
	}
	*a = Authentication{
		ID:           g.Id,
		Recipient:    g.Recipient,
		Status:       Status(g.Status),
		Channel:      parseChannel(g.Channel),
		Sender:       g.Sender,
		MessageText:  g.MessageText,
		CodeLifetime: time.Duration(g.CodeLifetime) * time.Second,
		CodeMaxTries: g.CodeMaxTries,
		CodeDigits:   g.CodeDigits,
		Price:        price,
		Currency:     g.Currency,
		CountryCode:  g.CountryCode,
	}
	if g.SenderAlt != nil {
		a.SenderAlt = *g.SenderAlt
	}
	if a.ExpiredAt, err = parseTimestamp(g.ExpiredAt); err != nil {
		return &fieldError{"expired_at", err}
	}
	if a.CreatedAt, err = parseTimestamp(g.CreatedAt); err != nil {
		return &fieldError{"created_at", err}
	}
	if a.UpdatedAt, err = parseTimestamp(g.UpdatedAt); err != nil {
		return &fieldError{"updated_at", err}
	}
	if g.FinishedAt != nil {
		if a.FinishedAt, err = parseTimestamp(*g.FinishedAt); err != nil {
			return &fieldError{"finished_at", err}
		}
	}
	if len(g.Messages) > 0 {
		a.Messages = make([]Message, len(g.Messages))
		for i := range g.Messages {
			if err := toMessage(&g.Messages[i], &a.Messages[i]); err != nil {
				return &fieldError{"messages[" + strconv.Itoa(i) + "]", err}
			}
		}
	}
	return nil
}

// toMessage maps one message; integer ids become their decimal string.
func toMessage(g *gen.Message, m *Message) error {
	id, err := messageID(rawJSON(g.Id))
	if err != nil {
		return &fieldError{"id", err}
	}
	price, err := priceFromJSON(rawJSON(g.Price))
	if err != nil {
		return &fieldError{"price", err}
	}
	*m = Message{
		ID:        id,
		Recipient: g.Recipient,
		Status:    MessageStatus(g.Status),
		Channel:   parseChannel(g.Channel),
		Sender:    g.Sender,
		Text:      g.Text,
		Price:     price,
		Currency:  g.Currency,
	}
	if g.SentAt != nil {
		if m.SentAt, err = parseTimestamp(*g.SentAt); err != nil {
			return &fieldError{"sent_at", err}
		}
	}
	if m.CreatedAt, err = parseTimestamp(g.CreatedAt); err != nil {
		return &fieldError{"created_at", err}
	}
	return nil
}

// toTemplate maps gen's template to ours; the id may come as a number or a digit string.
func toTemplate(g *gen.Template, t *Template) error {
	id, err := templateID(rawJSON(g.TemplateId))
	if err != nil {
		return &fieldError{"template_id", err}
	}
	*t = Template{
		ID:        id,
		Name:      g.Name,
		Text:      g.Text,
		Countries: g.Countries,
		Status:    TemplateStatus(g.Status),
	}
	if t.UpdatedAt, err = parseTimestamp(g.UpdatedAt); err != nil {
		return &fieldError{"updated_at", err}
	}
	return nil
}

// toAuthentications maps a list of sessions into one new slice.
func toAuthentications(list []gen.Authentication) ([]Authentication, error) {
	items := make([]Authentication, len(list))
	for i := range list {
		if err := toAuthentication(&list[i], &items[i]); err != nil {
			return nil, &fieldError{"list[" + strconv.Itoa(i) + "]", err}
		}
	}
	return items, nil
}

// toTemplates maps a list of templates into one new slice.
func toTemplates(list []gen.Template) ([]Template, error) {
	items := make([]Template, len(list))
	for i := range list {
		if err := toTemplate(&list[i], &items[i]); err != nil {
			return nil, &fieldError{"list[" + strconv.Itoa(i) + "]", err}
		}
	}
	return items, nil
}

// templateList reads the two shapes of a template list answer: {"data": [...], "total": N}
// (the documentation page) and {"data": {"list": [...], "total": N}} (the vendor's file).
// hasTotal is false when neither carried a total.
func templateList(g *gen.TemplateListResponse) (list []gen.Template, total int, hasTotal bool, err error) {
	raw := bytes.TrimSpace(rawJSON(g.Data))
	switch {
	case len(raw) > 0 && raw[0] == '[':
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, 0, false, &fieldError{"data", err}
		}
		if list == nil {
			list = []gen.Template{}
		}
		return list, g.Total, g.Total > 0, nil
	case len(raw) > 0 && raw[0] == '{':
		var tl gen.TemplateList
		if err := json.Unmarshal(raw, &tl); err != nil {
			return nil, 0, false, &fieldError{"data", err}
		}
		if tl.List == nil {
			return nil, 0, false, &fieldError{"data.list", errMissing}
		}
		total = max(tl.Total, g.Total)
		return tl.List, total, total > 0, nil
	}
	return nil, 0, false, &fieldError{"data", errMissing}
}

// rawJSON returns the raw bytes of a gen union: its MarshalJSON gives them back without
// copying ("null" when the field was absent). Generic rather than an interface so that passing
// a union does not allocate.
func rawJSON[U interface{ MarshalJSON() ([]byte, error) }](u U) []byte {
	b, err := u.MarshalJSON()
	if err != nil {
		return nil
	}
	return b
}

// messageID reads a message id given as an integer or a string.
func messageID(raw []byte) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		// Ids are printable ASCII: copy those out directly, and leave anything else (escapes,
		// which are legal but never seen) to the JSON decoder, which costs a decoder per message.
		if s, ok := plainJSONString(raw); ok {
			return s, nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	}
	if _, err := strconv.ParseInt(string(raw), 10, 64); err != nil {
		return "", fmt.Errorf("message id: %w", errNotIDNumber)
	}
	return string(raw), nil
}

// plainJSONString returns the content of a JSON string made only of printable ASCII without
// escapes, for which decoding is a copy; ok is false for any other raw value.
func plainJSONString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	for _, c := range inner {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return "", false
		}
	}
	return string(inner), true
}

// templateID reads a template id given as an integer or a digit string.
func templateID(raw []byte) (int, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, errMissing
	}
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		raw = raw[1 : len(raw)-1]
	}
	if len(raw) == 0 || len(raw) > 18 {
		return 0, errNotIDNumber
	}
	for _, b := range raw {
		if b < '0' || b > '9' {
			return 0, errNotIDNumber
		}
	}
	id, err := strconv.Atoi(string(raw))
	if err != nil || id == 0 {
		// Template ids run from 1; a zero would read as "no template" to every caller.
		return 0, errNotIDNumber
	}
	return id, nil
}
