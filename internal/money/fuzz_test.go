package money

import (
	"math"
	"math/big"
	"regexp"
	"strings"
	"testing"
)

// The grammars as the documentation states them, written independently of the parser.
var (
	stringGrammar = regexp.MustCompile(`^-?[0-9]+([.,][0-9]+)?$`)
	jsonGrammar   = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
)

// expected is what Parse must return for text, an amount big.Rat reads: the canonical pair
// when the amount fits an int64 coefficient with at most MaxScale digits after the point.
func expected(t *testing.T, text string) parsed {
	t.Helper()
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		t.Fatalf("big.Rat cannot read %q", text)
	}
	for scale := 0; scale <= MaxScale; scale++ {
		scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
		if !scaled.IsInt() {
			continue
		}
		c := scaled.Num()
		if !c.IsInt64() || c.Int64() == math.MinInt64 {
			return parsed{}
		}
		return parsed{c.Int64(), scale, true}
	}
	return parsed{}
}

// exponentOutOfReach reports whether a JSON number's exponent is so large that no mantissa of
// this length can bring its amount into range, and big.Rat would work too long to tell.
func exponentOutOfReach(s string) bool {
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		return false
	}
	digits := strings.TrimLeft(strings.TrimLeft(s[i+1:], "+-"), "0")
	return len(digits) > 4 || len(digits) == 4 && len(s) > 900
}

func checkCanonical(t *testing.T, name, s string, got parsed) {
	t.Helper()
	if got.scale < 0 || got.scale > MaxScale || got.coef == math.MinInt64 ||
		(got.scale > 0 && got.coef%10 == 0) || (!got.ok && got != parsed{}) {
		t.Fatalf("%s(%q) = %v: not canonical", name, s, got)
	}
	if !got.ok {
		return
	}
	// Written back, the amount reads as the same pair, in both grammars.
	out := string(Append(nil, got.coef, uint8(got.scale), '.'))
	if again := (func() parsed { c, sc, ok := Parse(out); return parsed{c, sc, ok} })(); again != got {
		t.Fatalf("Parse(Append(%s(%q)) = %q) = %v, want %v", name, s, out, again, got)
	}
	if again := (func() parsed { c, sc, ok := ParseJSONNumber(out); return parsed{c, sc, ok} })(); again != got {
		t.Fatalf("ParseJSONNumber(Append(%s(%q)) = %q) = %v, want %v", name, s, out, again, got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"0", "0,02", "0.0642918", "-1.5", "1.50", "007.10", "", "-", "1.", ".5", "+1", " 1",
		"1e3", "1,2,3", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"0.000000000000000001", "0.0000000000000000001", "922337203685477580.70", "٣",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, sc, ok := Parse(s)
		got := parsed{c, sc, ok}
		if cb, scb, okb := Parse([]byte(s)); (parsed{cb, scb, okb}) != got {
			t.Fatalf("Parse([]byte(%q)) = %v, Parse(%q) = %v", s, parsed{cb, scb, okb}, s, got)
		}
		checkCanonical(t, "Parse", s, got)
		want := parsed{}
		if stringGrammar.MatchString(s) {
			want = expected(t, strings.Replace(s, ",", ".", 1))
		}
		if got != want {
			t.Fatalf("Parse(%q) = %v, want %v", s, got, want)
		}
	})
}

func FuzzParseJSONNumber(f *testing.F) {
	for _, s := range []string{
		"0", "-0", "50.25", "0.0642918", "1e-3", "1E+3", "0e999999999", "1e-19", "1e19", "01",
		"1.", ".5", "1e", "0,02", "9.223372036854775807e18", "0.1e-17", "123e-20", "-2.5E-1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, sc, ok := ParseJSONNumber(s)
		got := parsed{c, sc, ok}
		checkCanonical(t, "ParseJSONNumber", s, got)
		want := parsed{}
		switch {
		case !jsonGrammar.MatchString(s):
		case exponentOutOfReach(s):
			// Only a zero mantissa survives such an exponent.
			if mantissa := s[:strings.IndexAny(s, "eE")]; strings.Trim(mantissa, "-0.") == "" {
				want = parsed{0, 0, true}
			}
		default:
			want = expected(t, s)
		}
		if got != want {
			t.Fatalf("ParseJSONNumber(%q) = %v, want %v", s, got, want)
		}
	})
}

func FuzzAppend(f *testing.F) {
	for _, v := range []int64{0, 2, 642918, -100000, 200000, math.MaxInt64, math.MinInt64, math.MinInt64 + 1} {
		f.Add(v, uint8(7), false)
	}
	f.Fuzz(func(t *testing.T, coef int64, scale uint8, comma bool) {
		sep := byte('.')
		if comma {
			sep = ','
		}
		out := string(Append(nil, coef, scale, sep))
		unit := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
		want := new(big.Rat).Mul(new(big.Rat).SetInt64(coef), unit)
		got, ok := new(big.Rat).SetString(strings.Replace(out, string(sep), ".", 1))
		if !ok || got.Cmp(want) != 0 {
			t.Fatalf("Append(%d, %d, %q) = %q, want %s", coef, scale, sep, out, want.FloatString(int(scale)))
		}
		// Canonical: a digit on each side of the separator, no trailing zero after it, no
		// leading zero before a whole part, "-" only for a negative amount.
		digits := strings.TrimPrefix(out, "-")
		whole, frac, found := strings.Cut(digits, string(sep))
		if whole == "" || whole != "0" && whole[0] == '0' || found && (frac == "" || strings.HasSuffix(frac, "0")) ||
			strings.HasPrefix(out, "-") != (coef < 0) {
			t.Fatalf("Append(%d, %d, %q) = %q: not canonical", coef, scale, sep, out)
		}
	})
}
