package phone

import (
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	tests := map[string]string{
		"380979965073":  "380******073",
		"4915112345678": "491*******678",
		"61401629754":   "614*****754",
		"1234567":       "123*567",
		"123456":        "******",
		"1234":          "****",
		"":              "",
	}
	for in, want := range tests {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzMask holds Mask to its promise on any string: the same length, nothing shown of a short
// one, and of a longer one only the first and last three bytes.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"380979965073", "123456", "1234567", "", "٣٨٠٩٧٩٩٦٥٠٧٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Mask(s)
		if len(got) != len(s) {
			t.Fatalf("Mask(%q) = %q: length %d, want %d", s, got, len(got), len(s))
		}
		hidden := got
		if len(s) > 6 {
			if got[:3] != s[:3] || got[len(got)-3:] != s[len(s)-3:] {
				t.Fatalf("Mask(%q) = %q does not keep the first and last three", s, got)
			}
			hidden = got[3 : len(got)-3]
		}
		if strings.Trim(hidden, "*") != "" {
			t.Fatalf("Mask(%q) = %q shows %q", s, got, hidden)
		}
	})
}
