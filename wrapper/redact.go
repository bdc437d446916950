package wrapper

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// redactor knows the secrets of one call, so that no error text or log line repeats them: a
// service that echoes what it was sent (the API key, the bearer, the code) must not put them
// into an error value, where %#v or a JSON encoder would print them.
type redactor struct {
	apiKey string
	bearer string // the bearer of the latest attempt
	code   string // the code being verified
}

// clean replaces in s every secret of the call: the API key, the bearer it sent and the
// code, and, for a code with leading zeros, the number a service that reads the code as a
// number echoes back ("007340291" as 7340291).
func (r *redactor) clean(s string) string {
	s = scrubText(s, r.apiKey, r.bearer, r.code)
	if n := codeNumber(r.code); n != "" {
		s = scrubDigitRun(s, n)
	}
	return scrubCutSecrets(s, r.apiKey, r.bearer, r.code)
}

// ellipsis is what marks a value cut short in an error message (see clip, priceError and
// parseTimestamp): `"…value"…` or `"…value…"`.
const ellipsis = "…"

// scrubCutSecrets replaces the start of a secret where a value cut short for an error message
// ends in it: the value stopped at 40 bytes, so the whole secret that scrubText looks for is
// not there, but its first bytes are.
func scrubCutSecrets(s string, secrets ...string) string {
	if !strings.Contains(s, ellipsis) {
		return s
	}
	var b strings.Builder
	for rest := s; ; {
		i := strings.Index(rest, ellipsis)
		if i < 0 {
			b.WriteString(rest)
			return b.String()
		}
		head := rest[:i]
		quote := strings.HasSuffix(head, `"`)
		if quote {
			head = head[:len(head)-1]
		}
		b.WriteString(cutSecretTail(head, secrets))
		if quote {
			b.WriteByte('"')
		}
		b.WriteString(ellipsis)
		rest = rest[i+len(ellipsis):]
	}
}

// cutSecretTail replaces the end of head when it is the start (three bytes or more) of one of
// the secrets.
func cutSecretTail(head string, secrets []string) string {
	for _, secret := range secrets {
		for k := min(len(secret), len(head)); k >= 3; k-- {
			if strings.HasSuffix(head, secret[:k]) {
				return head[:len(head)-k] + redacted
			}
		}
	}
	return head
}

// hide returns err, or, when its text holds a secret of the call, an error with the same
// meaning for errors.Is whose text has the secrets replaced. A *url.Error stays one (its
// operation and URL are ours), with its cause hidden.
func (r *redactor) hide(err error) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	if r.clean(text) == text {
		return err
	}
	if ue, ok := err.(*url.Error); ok {
		shown := *ue
		shown.Err = &hiddenError{text: r.clean(ue.Err.Error()), orig: ue.Err}
		return &shown
	}
	return &hiddenError{text: r.clean(text), orig: err}
}

// hiddenError stands for an error whose text quoted a secret (a transport error quoting a
// malformed status line the server sent, say). It prints the text with the secrets
// replaced, and matches with errors.Is whatever the original matched, but does not unwrap to
// it: errors.As must not hand the original text back.
type hiddenError struct {
	text string
	orig error
}

func (e *hiddenError) Error() string { return e.text }

// Is reports whether the original error matches target.
func (e *hiddenError) Is(target error) bool { return errors.Is(e.orig, target) }

// Format prints the cleaned text for every verb, so that %#v does not walk to the original.
func (e *hiddenError) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		_, _ = fmt.Fprintf(f, "%q", e.text)
		return
	}
	_, _ = f.Write([]byte(e.text))
}

// scrub removes the call's secrets from the messages of e.
func (r *redactor) scrub(e *APIError) {
	clean := r.clean
	e.Message = clean(e.Message)
	for i, m := range e.Errors {
		e.Errors[i] = clean(m)
	}
	var renamed []string
	for field, ms := range e.FieldErrors {
		for i, m := range ms {
			ms[i] = clean(m)
		}
		if clean(field) != field {
			renamed = append(renamed, field)
		}
	}
	// A field name is echoed input too.
	for _, field := range renamed {
		ms := e.FieldErrors[field]
		delete(e.FieldErrors, field)
		f := clean(field)
		e.FieldErrors[f] = append(e.FieldErrors[f], ms...)
	}
}

// scrubText replaces every secret (of three bytes or more) in m with the placeholder.
func scrubText(m string, secrets ...string) string {
	for _, s := range secrets {
		if len(s) >= 3 && strings.Contains(m, s) {
			m = strings.ReplaceAll(m, s, redacted)
		}
	}
	return m
}

// codeNumber returns the number a code with leading zeros reads as ("0073" → "73", "000" →
// "0"), or "" for a code without leading zeros, which scrubText already covers.
func codeNumber(code string) string {
	if len(code) < 2 || code[0] != '0' {
		return ""
	}
	if n := strings.TrimLeft(code, "0"); n != "" {
		return n
	}
	return "0"
}

// scrubDigitRun replaces every run of digits in s that is exactly n. Only whole runs: the
// number of a short code must not be cut out of unrelated longer numbers.
func scrubDigitRun(s, n string) string {
	if !strings.Contains(s, n) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		digits := isDigit(s[i])
		for j < len(s) && isDigit(s[j]) == digits {
			j++
		}
		if digits && s[i:j] == n {
			b.WriteString(redacted)
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}

// usableBearer reports whether b can be sent in an Authorization header: not blank, valid
// UTF-8, and without any control character (NUL, tab, CR, LF, DEL, C1 controls).
func usableBearer(b string) bool {
	return strings.TrimSpace(b) != "" && utf8.ValidString(b) && strings.IndexFunc(b, unicode.IsControl) < 0
}

// Limits of snippet.
const (
	maxSnippetLen = 128
	// minSecretRun is the length from which a run of token characters (letters, digits and
	// -_.+/=~) is taken for a credential and replaced: a bearer or API key echoed in a body
	// must not reach an error string or a log.
	minSecretRun = 24
)

// snippet returns a short sanitized start of body for error strings and logs: at most 128
// bytes of printable ASCII, white space runs as one space, other bytes (and each non-ASCII
// character) as '?', and runs of 24 or more token characters as "[REDACTED]".
func snippet(body []byte) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(body) && b.Len() < maxSnippetLen+8; {
		c := body[i]
		switch {
		case isTokenByte(c):
			j := i
			for j < len(body) && isTokenByte(body[j]) {
				j++
			}
			if space {
				b.WriteByte(' ')
				space = false
			}
			if j-i >= minSecretRun {
				b.WriteString("[REDACTED]")
			} else {
				b.Write(body[i:j])
			}
			i = j
			continue
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			space = b.Len() > 0
			i++
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
			i++
			continue
		}
		b.WriteByte('?')
		if c < utf8.RuneSelf {
			i++
		} else {
			_, size := utf8.DecodeRune(body[i:])
			i += size
		}
	}
	s := b.String()
	if len(s) > maxSnippetLen {
		s = s[:maxSnippetLen-3] + "..."
	}
	return s
}

// isTokenByte reports whether c can be part of a bearer, an API key or a base64 value.
func isTokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '+' || c == '/' || c == '=' || c == '~'
}
