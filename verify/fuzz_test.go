package verify

import (
	"testing"
	"time"
)

// Any text a user types as a phone number parses without panicking, and a number that parses
// is E.164 digits that parse back to themselves.
func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"+380 97 996 5073", "380979965073", "00380979965073", "(097) 996-50-73", "+1 202-555-0143",
		"", "+", "00", "++380", "+999", "+44 7700 900123", "tel:+380979965073", "０９７９９６５０７３", "+380979965073;ext=12"} {
		f.Add(s, "")
		f.Add(s, "UA")
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		p, err := parsePhone(s, region)
		if err != nil {
			return
		}
		if !isCode(p.digits, len(p.digits)) || len(p.digits) < 7 || len(p.digits) > 15 {
			t.Fatalf("parsePhone(%q, %q) = %q: not E.164 digits", s, region, p.digits)
		}
		again, err := parsePhone(p.digits, "")
		if err != nil || again.digits != p.digits || again.country != p.country {
			t.Fatalf("parsePhone(%q) = %q %q, then %q %q, %v", s, p.digits, p.country, again.digits, again.country, err)
		}
	})
}

// Whatever a store hands back decodes to a record or an error, never a panic, and a record
// answers every question asked of it.
func FuzzDecodeRecord(f *testing.F) {
	r := &record{ID: "abc", Status: "pending", Sends: 1, MaxTries: 3, Lifetime: time.Minute,
		SentAt: time.Unix(1e9, 0), ExpiresAt: time.Unix(1e9+60, 0)}
	f.Add(r.encode())
	f.Add([]byte(`{"status":"verified","finished_at":"2026-01-01T00:00:00Z","lifetime":-9223372036854775808}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"tries":1e400}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeRecord(Entry{Version: "v", Data: data})
		if err != nil || got == nil {
			return
		}
		now := time.Unix(1e9+30, 0)
		_ = got.status(now)
		_ = got.ttl(now)
		_ = got.codeHash("123456")
	})
}
