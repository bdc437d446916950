package sandbox

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The limits of api/bsg-2fa.yaml, checked again where the values are used: validation is one
// wall, these are the second, so no client number ever sizes an allocation or a loop.
const (
	minCodeDigits   = 3
	maxCodeDigits   = 9
	minCodeLifetime = 30
	maxCodeLifetime = 300
	minCodeTries    = 1
	maxCodeTries    = 5
	minPhoneDigits  = 9
	maxPhoneDigits  = 15
	maxSenderLen    = 15 // 3–11 printable characters, or 3–15 digits
	minTemplateName = 3
	maxTemplateName = 50
	minTemplateText = 9
	maxTemplateText = 70
	maxAPIKeyLen    = 1024 // not in the document; a key is compared, never stored
)

// sendRequest is a send body decoded by exact member names and checked.
type sendRequest struct {
	recipient  string
	channel    string // lower case
	sender     string
	senderAlt  string
	templateID int
	lifetime   int
	maxTries   int
	digits     int
}

// parseSend decodes the validated send body. It returns the field at fault when a value is
// missing or out of range.
func parseSend(ctx context.Context) (sendRequest, string) {
	fields, err := bodyFields(ctx)
	if err != nil {
		return sendRequest{}, "body"
	}
	var req sendRequest
	var rawRecipient, rawTemplate json.RawMessage
	for _, f := range []struct {
		name     string
		v        any
		optional bool
	}{
		{"recipient", &rawRecipient, false},
		{"channel", &req.channel, false},
		{"sender", &req.sender, false},
		{"sender_alt", &req.senderAlt, true},
		{"template_id", &rawTemplate, false},
		{"code_lifetime", &req.lifetime, false},
		{"code_max_tries", &req.maxTries, false},
		{"code_digits", &req.digits, false},
	} {
		if ok, err := field(fields, f.name, f.v); err != nil || (!ok && !f.optional) {
			return sendRequest{}, f.name
		}
	}
	var ok bool
	req.recipient, ok = jsonScalar(rawRecipient)
	if !ok || !isDigits(req.recipient) || len(req.recipient) < minPhoneDigits || len(req.recipient) > maxPhoneDigits {
		return sendRequest{}, "recipient"
	}
	tid, ok := jsonScalar(rawTemplate)
	if req.templateID, err = strconv.Atoi(tid); !ok || err != nil || req.templateID < 1 || req.templateID > maxTemplateID {
		return sendRequest{}, "template_id"
	}
	switch req.channel = strings.ToLower(req.channel); {
	case req.channel != "sms" && req.channel != "viber":
		return sendRequest{}, "channel"
	case !validSender(req.sender):
		return sendRequest{}, "sender"
	case req.senderAlt != "" && !validSender(req.senderAlt):
		return sendRequest{}, "sender_alt"
	case req.lifetime < minCodeLifetime || req.lifetime > maxCodeLifetime:
		return sendRequest{}, "code_lifetime"
	case req.maxTries < minCodeTries || req.maxTries > maxCodeTries:
		return sendRequest{}, "code_max_tries"
	case req.digits < minCodeDigits || req.digits > maxCodeDigits:
		return sendRequest{}, "code_digits"
	}
	return req, ""
}

func validSender(s string) bool {
	if len(s) < 3 || len(s) > maxSenderLen {
		return false
	}
	if isDigits(s) {
		return true
	}
	if len(s) > 11 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// parseAccessCode decodes the validated verify body: the code as given and whether it came
// as a JSON string (an integer loses leading zeros).
func parseAccessCode(ctx context.Context) (code string, quoted bool, ok bool) {
	fields, err := bodyFields(ctx)
	if err != nil {
		return "", false, false
	}
	raw, present := fields["access_code"]
	if !present {
		return "", false, false
	}
	code, ok = jsonScalar(raw)
	if !ok || !isDigits(code) || len(code) > maxCodeDigits {
		return "", false, false
	}
	return code, len(raw) > 0 && raw[0] == '"', true
}

// parseAPIKey decodes the validated login body.
func parseAPIKey(ctx context.Context) (string, bool) {
	fields, err := bodyFields(ctx)
	if err != nil {
		return "", false
	}
	var key string
	if ok, err := field(fields, "api_key", &key); !ok || err != nil || key == "" || len(key) > maxAPIKeyLen {
		return "", false
	}
	return key, true
}

// templateRequest is a create-template body decoded by exact member names and checked.
type templateRequest struct {
	name, text string
	countries  []string
}

func parseTemplate(ctx context.Context) (templateRequest, string) {
	fields, err := bodyFields(ctx)
	if err != nil {
		return templateRequest{}, "body"
	}
	var req templateRequest
	if ok, err := field(fields, "name", &req.name); !ok || err != nil || runesOutside(req.name, minTemplateName, maxTemplateName) {
		return templateRequest{}, "name"
	}
	if ok, err := field(fields, "text", &req.text); !ok || err != nil || runesOutside(req.text, minTemplateText, maxTemplateText) {
		return templateRequest{}, "text"
	}
	var countries []string
	if ok, err := field(fields, "countries", &countries); !ok || err != nil || len(countries) == 0 {
		return templateRequest{}, "countries"
	}
	for _, c := range countries {
		if len(strings.TrimSpace(c)) != 2 || !isLetters(strings.TrimSpace(c)) {
			return templateRequest{}, "countries"
		}
	}
	// At most 26×26 distinct codes remain, however long the list was.
	req.countries = normCountries(countries)
	return req, ""
}

// runesOutside reports whether s has fewer than lo or more than hi characters, as JSON
// Schema counts them.
func runesOutside(s string, lo, hi int) bool {
	if len(s) > 4*hi {
		return true
	}
	n := utf8.RuneCountInString(s)
	return n < lo || n > hi
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
