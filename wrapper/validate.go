package wrapper

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits the service documents, checked before any request is sent.
const (
	minRecipientDigits = 9
	maxRecipientDigits = 15
	minTemplateID      = 1
	maxTemplateID      = 999999999
	minCodeLifetime    = 30 * time.Second
	maxCodeLifetime    = 300 * time.Second
	defCodeLifetime    = 5 * time.Minute
	minCodeMaxTries    = 1
	maxCodeMaxTries    = 5
	defCodeMaxTries    = 3
	minCodeDigits      = 3
	maxCodeDigits      = 9
	defCodeDigits      = 6
	maxIDLen           = 36
	minPageLimit       = 10
	maxPageLimit       = 500
	defPageLimit       = 100
	maxAuthIDs         = 3
	maxTemplateIDs     = 100
	minTemplateName    = 3
	maxTemplateName    = 50
	minTemplateText    = 9
	maxTemplateText    = 70
	codePlaceholder    = "{code2fa}"
)

// invalid returns a *ValidationError as an error.
func invalid(field, reason string) error { return &ValidationError{Field: field, Reason: reason} }

// NormalizeRecipient returns a phone number in the form the service expects: the digits
// alone, in international form. It strips "+", spaces, '-', '.', '(' and ')', as people
// write numbers ("+44 (20) 7946-0958"); what remains must be 9 to 15 ASCII digits starting
// with the country calling code, or a *ValidationError (matching ErrInvalidParams) is
// returned. A number that starts with 0 once stripped is refused: a national trunk prefix
// ("097 996 5073") would be sent as an unknown country, and an international prefix
// ("00380…") would let one handset be written in several accepted forms. The error never
// repeats the number.
func NormalizeRecipient(s string) (string, error) {
	return normalizePhone("Recipient", s)
}

func normalizePhone(field, s string) (string, error) {
	const reason = "must be 9 to 15 digits (after removing '+', spaces, '-', '.', '(' and ')')"
	const international = "must start with the country calling code (international form), not with 0 or 00"
	clean := true
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			digits++
		case c == '+' || c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
			clean = false
		default:
			return "", invalid(field, reason)
		}
	}
	if digits < minRecipientDigits || digits > maxRecipientDigits {
		return "", invalid(field, reason)
	}
	if s[strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' })] == '0' {
		return "", invalid(field, international)
	}
	if clean {
		return s, nil
	}
	buf := make([]byte, 0, digits)
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			buf = append(buf, s[i])
		}
	}
	return string(buf), nil
}

// validateSendOTP checks req and returns the copy to send: the recipient as digits, the
// channel in its canonical case, and the defaults filled in (CodeLifetime 5m, CodeMaxTries
// 3, CodeDigits 6).
func validateSendOTP(req SendOTPRequest) (SendOTPRequest, error) {
	out := req
	var err error
	if out.Recipient, err = NormalizeRecipient(req.Recipient); err != nil {
		return SendOTPRequest{}, err
	}
	if req.Channel == "" {
		return SendOTPRequest{}, invalid("Channel", "is required (sms or viber)")
	}
	if out.Channel, err = knownChannel("Channel", req.Channel); err != nil {
		return SendOTPRequest{}, err
	}
	if req.Sender == "" {
		return SendOTPRequest{}, invalid("Sender", "is required")
	}
	if err := validateSender("Sender", req.Sender); err != nil {
		return SendOTPRequest{}, err
	}
	if req.SenderAlt != "" {
		if out.Channel != ChannelViber {
			return SendOTPRequest{}, invalid("SenderAlt", "is only for the viber channel")
		}
		if err := validateSender("SenderAlt", req.SenderAlt); err != nil {
			return SendOTPRequest{}, err
		}
	}
	if err := validateTemplateID(req.TemplateID); err != nil {
		return SendOTPRequest{}, err
	}
	switch lt := req.CodeLifetime; {
	case lt == 0:
		out.CodeLifetime = defCodeLifetime
	case lt < minCodeLifetime || lt > maxCodeLifetime:
		return SendOTPRequest{}, invalid("CodeLifetime", "must be from 30s to 300s")
	case lt%time.Second != 0:
		return SendOTPRequest{}, invalid("CodeLifetime", "must be whole seconds")
	}
	switch n := req.CodeMaxTries; {
	case n == 0:
		out.CodeMaxTries = defCodeMaxTries
	case n < minCodeMaxTries || n > maxCodeMaxTries:
		return SendOTPRequest{}, invalid("CodeMaxTries", "must be from 1 to 5")
	}
	switch n := req.CodeDigits; {
	case n == 0:
		out.CodeDigits = defCodeDigits
	case n < minCodeDigits || n > maxCodeDigits:
		return SendOTPRequest{}, invalid("CodeDigits", "must be from 3 to 9")
	}
	return out, nil
}

// knownChannel returns sms or viber for c in any letter case and refuses anything else.
func knownChannel(field string, c Channel) (Channel, error) {
	switch ch := parseChannel(string(c)); ch {
	case ChannelSMS, ChannelViber:
		return ch, nil
	}
	return "", invalid(field, "must be sms or viber")
}

// validateSender applies the documented sender rules: 3 to 15 digits for a numeric sender,
// or 3 to 11 printable ASCII characters (letters, digits, symbols, spaces) for a name. A
// name may not start or end with a space: the networks trim it, and a sender that differs
// from what was asked for is a surprise.
func validateSender(field, s string) error {
	allDigits := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return invalid(field, "must be printable Latin characters (ASCII letters, digits, symbols, spaces)")
		}
		if !isDigit(c) {
			allDigits = false
		}
	}
	if allDigits {
		if len(s) < 3 || len(s) > 15 {
			return invalid(field, "must be 3 to 15 digits, or a name of 3 to 11 characters")
		}
		return nil
	}
	if len(s) < 3 || len(s) > 11 {
		return invalid(field, "must be a name of 3 to 11 characters, or 3 to 15 digits")
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return invalid(field, "must not start or end with a space")
	}
	return nil
}

// validateID checks a session id given as a path parameter: non-empty, at most 36 bytes, valid
// UTF-8 without control characters, and not "." or "..", which path escaping leaves as they
// are and which would change the path the request goes to.
func validateID(id string) error {
	if reason := idProblem(id); reason != "" {
		return invalid("ID", reason)
	}
	if id == "." || id == ".." {
		return invalid("ID", "must not be a dot segment")
	}
	return nil
}

// idProblem returns why id is not a valid session id, or "".
func idProblem(id string) string {
	switch {
	case id == "":
		return "is required"
	case len(id) > maxIDLen:
		return "must be at most 36 characters"
	case !utf8.ValidString(id):
		return "must be valid UTF-8"
	case strings.IndexFunc(id, unicode.IsControl) >= 0:
		return "must not contain control characters"
	}
	return ""
}

// validateCode checks an OTP code: 3 to 9 ASCII digits. The error never contains the code.
func validateCode(code string) error {
	const reason = "must be 3 to 9 digits"
	if len(code) < minCodeDigits || len(code) > maxCodeDigits {
		return invalid("Code", reason)
	}
	for i := 0; i < len(code); i++ {
		if !isDigit(code[i]) {
			return invalid("Code", reason)
		}
	}
	return nil
}

// validateTemplateID checks a template id: 1 to 999999999.
func validateTemplateID(id int) error {
	if id < minTemplateID || id > maxTemplateID {
		return invalid("TemplateID", "must be from 1 to 999999999")
	}
	return nil
}

// pageLimit applies the page size rule shared by both lists: zero means 100, else 10 to 500.
func pageLimit(limit int) (int, error) {
	switch {
	case limit == 0:
		return defPageLimit, nil
	case limit < minPageLimit || limit > maxPageLimit:
		return 0, invalid("Limit", "must be from 10 to 500")
	}
	return limit, nil
}

// sortOrder accepts asc and desc in any letter case.
func sortOrder(o SortOrder) (SortOrder, error) {
	switch {
	case o == "":
		return "", nil
	case strings.EqualFold(string(o), string(Asc)):
		return Asc, nil
	case strings.EqualFold(string(o), string(Desc)):
		return Desc, nil
	}
	return "", invalid("Order", "must be asc or desc")
}

// oneOf returns the element of allowed equal to s in any letter case.
func oneOf[T ~string](s T, allowed ...T) (T, bool) {
	for _, a := range allowed {
		if strings.EqualFold(string(s), string(a)) {
			return a, true
		}
	}
	return "", false
}

// validateListAuthentications checks req and returns the copy to send: Limit defaulted to
// 100, enums and the country code in their canonical case, the recipient as digits, and
// its own copy of IDs.
func validateListAuthentications(req ListAuthenticationsRequest) (ListAuthenticationsRequest, error) {
	out := req
	out.IDs = slices.Clone(req.IDs)
	switch {
	case req.From.IsZero():
		return ListAuthenticationsRequest{}, invalid("From", "is required")
	case req.To.IsZero():
		return ListAuthenticationsRequest{}, invalid("To", "is required")
	case req.From.After(req.To):
		return ListAuthenticationsRequest{}, invalid("From", "must not be after To")
	case req.Offset < 0:
		return ListAuthenticationsRequest{}, invalid("Offset", "must not be negative")
	}
	var err error
	if out.Limit, err = pageLimit(req.Limit); err != nil {
		return ListAuthenticationsRequest{}, err
	}
	if len(req.IDs) > maxAuthIDs {
		return ListAuthenticationsRequest{}, invalid("IDs", "must hold at most 3 ids")
	}
	for _, id := range req.IDs {
		if reason := idProblem(id); reason != "" {
			return ListAuthenticationsRequest{}, invalid("IDs", "each id "+reason)
		}
	}
	if req.Status != "" {
		var ok bool
		out.Status, ok = oneOf(req.Status, StatusPending, StatusVerified, StatusExpired, StatusFailed, StatusCanceled)
		if !ok {
			return ListAuthenticationsRequest{}, invalid("Status", "must be pending, verified, expired, failed or canceled")
		}
	}
	if req.Channel != "" {
		if out.Channel, err = knownChannel("Channel", req.Channel); err != nil {
			return ListAuthenticationsRequest{}, err
		}
	}
	if req.Recipient != "" {
		if out.Recipient, err = normalizePhone("Recipient", req.Recipient); err != nil {
			return ListAuthenticationsRequest{}, err
		}
	}
	if req.CountryCode != "" {
		code, ok := countryCode(req.CountryCode)
		if !ok {
			return ListAuthenticationsRequest{}, invalid("CountryCode", "must be two letters (ISO 3166-1 alpha-2)")
		}
		out.CountryCode = code
	}
	if req.SortBy != "" {
		var ok bool
		out.SortBy, ok = oneOf(req.SortBy, "id", "status", "channel", "recipient", "created_at", "finished_at", "country_code")
		if !ok {
			return ListAuthenticationsRequest{}, invalid("SortBy",
				"must be id, status, channel, recipient, created_at, finished_at or country_code")
		}
	}
	if out.Order, err = sortOrder(req.Order); err != nil {
		return ListAuthenticationsRequest{}, err
	}
	return out, nil
}

// validateListTemplates checks req and returns the copy to send: Limit defaulted to 100,
// enums in their canonical case, and its own copy of IDs.
func validateListTemplates(req ListTemplatesRequest) (ListTemplatesRequest, error) {
	out := req
	out.IDs = slices.Clone(req.IDs)
	if req.Offset < 0 {
		return ListTemplatesRequest{}, invalid("Offset", "must not be negative")
	}
	var err error
	if out.Limit, err = pageLimit(req.Limit); err != nil {
		return ListTemplatesRequest{}, err
	}
	if len(req.IDs) > maxTemplateIDs {
		return ListTemplatesRequest{}, invalid("IDs", "must hold at most 100 ids")
	}
	for _, id := range req.IDs {
		if id < minTemplateID || id > maxTemplateID {
			return ListTemplatesRequest{}, invalid("IDs", "each id must be from 1 to 999999999")
		}
	}
	if req.Status != "" {
		var ok bool
		out.Status, ok = oneOf(req.Status, TemplateRequested, TemplateApproved, TemplateRejected, TemplateDeleted)
		if !ok {
			return ListTemplatesRequest{}, invalid("Status", "must be requested, approved, rejected or deleted")
		}
	}
	if req.SortBy != "" {
		var ok bool
		out.SortBy, ok = oneOf(req.SortBy, "template_id", "status", "name", "updated_at")
		if !ok {
			return ListTemplatesRequest{}, invalid("SortBy", "must be template_id, status, name or updated_at")
		}
	}
	if out.Order, err = sortOrder(req.Order); err != nil {
		return ListTemplatesRequest{}, err
	}
	return out, nil
}

// validateCreateTemplate checks req and returns the copy to send, with the countries
// upper-cased in a slice of its own.
func validateCreateTemplate(req CreateTemplateRequest) (CreateTemplateRequest, error) {
	out := req
	switch n := utf8.RuneCountInString(req.Name); {
	case !utf8.ValidString(req.Name):
		return CreateTemplateRequest{}, invalid("Name", "must be valid UTF-8")
	case n < minTemplateName || n > maxTemplateName:
		return CreateTemplateRequest{}, invalid("Name", "must be 3 to 50 characters")
	case strings.IndexFunc(req.Name, unicode.IsControl) >= 0:
		return CreateTemplateRequest{}, invalid("Name", "must not contain control characters")
	case strings.TrimSpace(req.Name) == "":
		return CreateTemplateRequest{}, invalid("Name", "must not be blank")
	}
	switch n := utf8.RuneCountInString(req.Text); {
	case !utf8.ValidString(req.Text):
		return CreateTemplateRequest{}, invalid("Text", "must be valid UTF-8")
	case n < minTemplateText || n > maxTemplateText:
		return CreateTemplateRequest{}, invalid("Text", "must be 9 to 70 characters")
	}
	switch strings.Count(req.Text, codePlaceholder) {
	case 0:
		return CreateTemplateRequest{}, invalid("Text", "must contain "+codePlaceholder+", which is required")
	case 1:
	default:
		return CreateTemplateRequest{}, invalid("Text", "must contain "+codePlaceholder+" only once")
	}
	if len(req.Countries) == 0 {
		return CreateTemplateRequest{}, invalid("Countries", "at least one country is required")
	}
	out.Countries = make([]string, len(req.Countries))
	for i, c := range req.Countries {
		code, ok := countryCode(c)
		if !ok {
			return CreateTemplateRequest{}, invalid("Countries", "each must be two letters (ISO 3166-1 alpha-2)")
		}
		out.Countries[i] = code
	}
	return out, nil
}

// countryCode returns two ASCII letters upper-cased.
func countryCode(s string) (string, bool) {
	if len(s) != 2 {
		return "", false
	}
	var b [2]byte
	for i := range 2 {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		default:
			return "", false
		}
		b[i] = c
	}
	if b[0] == s[0] && b[1] == s[1] {
		return s, true
	}
	return string(b[:]), true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
