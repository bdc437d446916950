package wrapper

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// Run one target with e.g. go test -run '^$' -fuzz '^FuzzParsePrice$' -fuzztime 20s ./wrapper/
// Without -fuzz, the seeds below run as ordinary tests.

var priceSeeds = []string{
	"0", "0,02", "0.02", "50.25", "0.0642918", "-1.5", "1.50", "007", "1e3", ".5", "1.", "",
	"9223372036854775807", "9223372036854775808", "0.000000000000000001", "0.0000000000000000001",
	"123456789.123456789", "1,2,3", " 1", "-0", "1.0000000000000000000000",
}

// exactRat is the value of a decimal string, with ',' read as '.'.
func exactRat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(strings.Replace(s, ",", ".", 1))
	if !ok {
		t.Fatalf("big.Rat cannot read %q", s)
	}
	return r
}

// zeroMantissa reports whether the JSON number s has only zeros before its exponent.
func zeroMantissa(s string) bool {
	mantissa, _, _ := strings.Cut(strings.ToLower(strings.TrimPrefix(s, "-")), "e")
	return strings.Trim(mantissa, "0.") == ""
}

func FuzzParsePrice(f *testing.F) {
	for _, s := range priceSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePrice(s)
		if err != nil {
			if !errors.Is(err, errInvalidPrice) || !p.IsZero() {
				t.Fatalf("ParsePrice(%q) = %v, %v", s, p, err)
			}
			return
		}
		str := p.String()
		again, err := ParsePrice(str)
		if err != nil || again != p {
			t.Fatalf("ParsePrice(%q).String() = %q does not round-trip: %v, %v", s, str, again, err)
		}
		if exactRat(t, s).Cmp(exactRat(t, str)) != 0 {
			t.Fatalf("ParsePrice(%q) = %q: not the same amount", s, str)
		}
		if strings.ContainsAny(str, ",eE+") || (strings.Contains(str, ".") && strings.HasSuffix(str, "0")) {
			t.Fatalf("String %q is not canonical", str)
		}
		if p.IsZero() != (str == "0") {
			t.Fatalf("IsZero disagrees with %q", str)
		}
		if p.Add(Price{}) != p {
			t.Fatalf("%q + 0 != itself", str)
		}
		text, _ := p.MarshalText()
		var fromText Price
		if err := fromText.UnmarshalText(text); err != nil || fromText != p {
			t.Fatalf("text round trip of %q: %v, %v", str, fromText, err)
		}
	})
}

func FuzzPriceAdd(f *testing.F) {
	f.Add("0.1", "0.2")
	f.Add("9223372036854775807", "1")
	f.Add("10", "0.000000000000000015")
	f.Add("-1.5", "1.5")
	f.Add("922337203685477580.7", "0.05")
	f.Add("922337203685477581", "-0.3")
	f.Add("-1", "-1.000000000000000001")
	f.Fuzz(func(t *testing.T, a, b string) {
		pa, errA := ParsePrice(a)
		pb, errB := ParsePrice(b)
		if errA != nil || errB != nil {
			return
		}
		checkExactArithmetic(t, pa, pb)
		sum := pa.Add(pb)
		if sum != pb.Add(pa) {
			t.Fatalf("%v + %v is not commutative", pa, pb)
		}
		exact := new(big.Rat).Add(exactRat(t, pa.String()), exactRat(t, pb.String()))
		// Both scales are at most 18, so 18 decimals write the exact sum.
		if want, err := ParsePrice(exact.FloatString(maxPriceScale)); err == nil {
			if sum != want {
				t.Fatalf("%v + %v = %v, want %v", pa, pb, sum, want)
			}
			return
		}
		// Not representable: the result is the nearest Price the coefficient allows (or
		// saturated), so it differs from the exact sum by less than one unit of its last
		// place, unless saturated.
		got := exactRat(t, sum.String())
		diff := new(big.Rat).Sub(exact, got)
		diff.Abs(diff)
		unit := new(big.Rat).SetFrac64(1, int64(pow10u[sum.scale]))
		saturated := sum.coef == 1<<63-1 || sum.coef == -(1<<63-1)
		if diff.Cmp(unit) >= 0 && !saturated {
			t.Fatalf("%v + %v = %v, too far from %s", pa, pb, sum, exact.FloatString(maxPriceScale))
		}
	})
}

// checkExactArithmetic checks Cmp, AddExact and SubExact of a and b against math/big.
func checkExactArithmetic(t *testing.T, a, b Price) {
	t.Helper()
	ra, rb := exactRat(t, a.String()), exactRat(t, b.String())
	if got, want := a.Cmp(b), ra.Cmp(rb); got != want {
		t.Fatalf("%v.Cmp(%v) = %d, want %d", a, b, got, want)
	}
	for _, op := range []struct {
		name  string
		exact *big.Rat
		do    func(Price, Price) (Price, error)
	}{
		{"+", new(big.Rat).Add(ra, rb), Price.AddExact},
		{"-", new(big.Rat).Sub(ra, rb), Price.SubExact},
	} {
		got, err := op.do(a, b)
		// Both scales are at most 18, so 18 decimals write the exact result.
		want, werr := ParsePrice(op.exact.FloatString(maxPriceScale))
		switch {
		case werr == nil && (err != nil || got != want):
			t.Fatalf("%v %s %v = %v, %v; want %v", a, op.name, b, got, err, want)
		case werr != nil && !errors.Is(err, ErrPriceOverflow):
			t.Fatalf("%v %s %v = %v, %v; want ErrPriceOverflow", a, op.name, b, got, err)
		}
	}
}

func FuzzPriceFromJSON(f *testing.F) {
	for _, s := range []string{
		`"0,02"`, `50.25`, `0.0642918`, `0`, `null`, ``, `""`, `1e-3`, `1.0e-5`, `-1.5`, `"abc"`,
		`true`, `{}`, `[]`, `"0\u002c02"`, `01`, `1e999999`, `0e999999`, ` 50.25 `, `"1`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := priceFromJSON(raw)
		if err != nil {
			if !errors.Is(err, errInvalidPrice) || !p.IsZero() {
				t.Fatalf("priceFromJSON(%q) = %v, %v", raw, p, err)
			}
			return
		}
		trimmed := strings.TrimSpace(string(raw))
		if trimmed == "" {
			if !p.IsZero() {
				t.Fatalf("empty input gave %v", p)
			}
			return
		}
		if !json.Valid(raw) {
			t.Fatalf("priceFromJSON accepted invalid JSON %q as %v", raw, p)
		}
		// Cross-check the amount with encoding/json's own reading of the value.
		var v any
		dec := json.NewDecoder(strings.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("json cannot decode %q: %v", raw, err)
		}
		var want *big.Rat
		switch v := v.(type) {
		case nil:
			want = new(big.Rat)
		case json.Number:
			if zeroMantissa(v.String()) {
				// 0e9227000000000000000 is zero, but its exponent is past what big.Rat reads.
				want = new(big.Rat)
			} else {
				want = exactRat(t, v.String())
			}
		case string:
			if v == "" {
				want = new(big.Rat)
			} else {
				want = exactRat(t, v)
			}
		default:
			t.Fatalf("priceFromJSON accepted %T %q", v, raw)
		}
		if want.Cmp(exactRat(t, p.String())) != 0 {
			t.Fatalf("priceFromJSON(%q) = %v, want %s", raw, p, want.RatString())
		}
		b, err := p.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		back, err := priceFromJSON(b)
		if err != nil || back != p {
			t.Fatalf("JSON round trip of %v via %s: %v, %v", p, b, back, err)
		}
	})
}

// rfc3339 is RFC 3339's date-time grammar (section 5.6), fractional seconds after '.':
// two-digit hour, minute, second and offset fields, an offset of at most 23:59. time.Parse is
// more lenient (it takes a one-digit hour, "0000-01-01T0:00:00+00:00", and an offset of
// +24:00), so it is the oracle only for strings of this shape.
var rfc3339 = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$`)

func TestRFC3339Oracle(t *testing.T) {
	for _, s := range []string{"2023-01-04T17:37:06Z", "2023-01-04t17:37:06.5+02:00", "9999-12-31T23:59:59-23:59"} {
		assert.True(t, rfc3339.MatchString(s), s)
	}
	for _, s := range []string{"0000-01-01T0:00:00+00:00", "2023-01-04 17:37:06", "2023-01-04T17:37:06+0000",
		"2023-01-04T17:37:06,5Z", "2023-01-04T17:37:06.Z", "2023-01-04T17:37Z", "2023-01-04T17:37:06Z\n",
		"0000-10-01T00:00:00+24:00", "2023-01-04T17:37:06+01:60"} {
		assert.False(t, rfc3339.MatchString(s), s)
	}
}

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{
		"0000-01-01T0:00:00+00:00", "2023-01-04T7:37:06Z", "0000-10-01T00:00:00+24:00",
		"2023-01-04 17:37:06", "2023-01-04T17:37:06Z", "2023-01-04T17:37:06.123+02:00",
		"2023-01-04T17:37:06+0000", "2000-01-23 04:56:07+00:00", "2024-02-29 00:00:00", "2023-02-29 00:00:00",
		"", "2023-01-04", "2023-01-04 17:37:06.", "2023-01-04 17:37:06+24:00", "9999-12-31T23:59:59-23:59",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseTimestamp(s)
		if ref, refErr := time.Parse(time.RFC3339Nano, s); refErr == nil && ref.Year() <= 9999 && rfc3339.MatchString(s) {
			if err != nil {
				t.Fatalf("time.Parse accepts %q as %v, parseTimestamp refuses: %v", s, ref, err)
			}
			if !ref.Equal(got) {
				t.Fatalf("parseTimestamp(%q) = %v, time.Parse says %v", s, got, ref)
			}
		}
		if err != nil {
			if !errors.Is(err, errInvalidTimestamp) || !got.IsZero() {
				t.Fatalf("parseTimestamp(%q) = %v, %v", s, got, err)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("parseTimestamp(%q) is in %v, not UTC", s, got.Location())
		}
		if s == "" {
			return
		}
		again, err := parseTimestamp(got.Format("2006-01-02 15:04:05.999999999"))
		if got.Year() >= 0 && got.Year() <= 9999 && (err != nil || !again.Equal(got)) {
			t.Fatalf("round trip of %q via %v: %v, %v", s, got, again, err)
		}
	})
}

func FuzzNewAPIError(f *testing.F) {
	for _, d := range documented {
		f.Add(d.status, []byte(fmt.Sprintf(`{"message":"TwoFA Service error.","errors":[%q]}`, d.message)))
		f.Add(d.status, []byte(fmt.Sprintf(`{"errors":[{"message":%q}]}`, d.message)))
	}
	for _, b := range []string{
		`{"message":"The given data was invalid.","errors":{"channel":["The value you selected is not a valid choice."]}}`,
		`{"message":"2FA Service error.","errors":[]}`, `{"message":"Model not found"}`, `<html>502</html>`, ``, `null`,
		`{"message":"TwoFA Service error.","errors":["Authentication not fo`, `[[[[`, `{"errors":{"a":[{"message":1}]}}`,
	} {
		f.Add(500, []byte(b))
		f.Add(422, []byte(b))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := newAPIError(status, body).withNotFound(ErrTemplateNotFound)
		var err error = e
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
			t.Fatalf("status %d not kept", status)
		}
		if len(e.Errors) > maxErrorMessages {
			t.Fatalf("%d messages kept", len(e.Errors))
		}
		for _, m := range append([]string{e.Message}, e.Errors...) {
			if len(m) > maxErrorMessageLen || !utf8.ValidString(m) {
				t.Fatalf("message of %d bytes kept: %q", len(m), m)
			}
		}
		msg := e.Error()
		if !strings.HasPrefix(msg, "bsg2fa: ") || len(msg) > maxErrorTextLen+100 || strings.ContainsAny(msg, "\r\n") {
			t.Fatalf("Error() = %q", msg)
		}
		for _, s := range allSentinels {
			_ = errors.Is(err, s)
		}
		if status >= 500 && status <= 599 && !errors.Is(err, ErrServiceUnavailable) {
			t.Fatalf("%d is not ErrServiceUnavailable", status)
		}
		if status == 404 && !errors.Is(err, ErrTemplateNotFound) {
			// Only a recognised message may displace the fallback.
			specific, _ := e.scan()
			if specific == 0 {
				t.Fatalf("404 without a recognised message is not the fallback: %q", body)
			}
		}
		sn := snippet(body)
		if len(sn) > maxSnippetLen {
			t.Fatalf("snippet of %d bytes", len(sn))
		}
		for i := 0; i < len(sn); i++ {
			if sn[i] < 0x20 || sn[i] > 0x7e {
				t.Fatalf("snippet %q holds byte %#x", sn, sn[i])
			}
		}
	})
}

func FuzzNormalizeRecipient(f *testing.F) {
	for _, s := range []string{
		"380979965073", "+380979965073", "+38 (097) 996-50-73", "+44.20.7946.0958", "12345678", "1234567890123456",
		"", "+", "٣٨٠٩٧٩٩٦٥٠٧٣", "38097996507３", "380979965073\n", "097 996 5073", "00380979965073", "+0979965073",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalizeRecipient(s)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != "Recipient" || !errors.Is(err, ErrInvalidParams) || got != "" {
				t.Fatalf("NormalizeRecipient(%q) = %q, %v", s, got, err)
			}
			if len(s) >= 9 && strings.Contains(err.Error(), s) {
				t.Fatalf("the error repeats the number: %v", err)
			}
			return
		}
		if len(got) < 9 || len(got) > 15 || got[0] == '0' {
			t.Fatalf("NormalizeRecipient(%q) = %q", s, got)
		}
		var digits strings.Builder
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c >= '0' && c <= '9':
				digits.WriteByte(c)
			case strings.IndexByte("+ -.()", c) < 0:
				t.Fatalf("NormalizeRecipient(%q) accepted byte %q", s, c)
			}
		}
		if got != digits.String() {
			t.Fatalf("NormalizeRecipient(%q) = %q, want %q", s, got, digits.String())
		}
		if again, err := NormalizeRecipient(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q → %q, %v", got, again, err)
		}
	})
}
