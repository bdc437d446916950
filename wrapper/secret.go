package wrapper

import (
	"fmt"
	"log/slog"
)

// redacted is what a secret prints as, whichever way it is printed.
const redacted = "REDACTED"

// secret holds an API key or a bearer token. Every way a value can reach a log line or an error
// message (fmt verbs, slog, JSON) prints "REDACTED"; only reveal gives the text back, and it is
// called where the value goes on the wire and nowhere else.
type secret string

// reveal returns the text itself, for the request body or header that needs it.
func (s secret) reveal() string { return string(s) }

// String implements fmt.Stringer.
func (s secret) String() string { return redacted }

// GoString implements fmt.GoStringer, so %#v of a struct holding a secret hides it too.
func (s secret) GoString() string { return redacted }

// Format implements fmt.Formatter: every verb, %x and %q included, prints the placeholder.
func (s secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue implements slog.LogValuer.
func (s secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON implements json.Marshaler.
func (s secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler, which encoders other than JSON use.
func (s secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
