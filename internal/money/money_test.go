package money

import (
	"math"
	"strings"
	"testing"
)

type parsed struct {
	coef  int64
	scale int
	ok    bool
}

func TestParse(t *testing.T) {
	tests := map[string]parsed{
		"0,02":                  {2, 2, true},
		"0.02":                  {2, 2, true},
		"50.25":                 {5025, 2, true},
		"0.0642918":             {642918, 7, true},
		"0":                     {0, 0, true},
		"-0":                    {0, 0, true},
		"000":                   {0, 0, true},
		"0.000":                 {0, 0, true},
		"-1.5":                  {-15, 1, true},
		"1.50":                  {15, 1, true},
		"1,5":                   {15, 1, true},
		"100":                   {100, 0, true},
		"100.00":                {100, 0, true},
		"007.10":                {71, 1, true},
		"1.000000000000000001":  {1000000000000000001, 18, true},
		"0.000000000000000001":  {1, 18, true},
		"9223372036854775807":   {math.MaxInt64, 0, true},
		"-9223372036854775807":  {-math.MaxInt64, 0, true},
		"922337203685477580.7":  {math.MaxInt64, 1, true},
		"9223372036854775807.0": {math.MaxInt64, 0, true},

		"9223372036854775808":   {},
		"-9223372036854775808":  {}, // −2⁶³ has no positive counterpart, so coef is never it
		"92233720368547758070":  {},
		"0.0000000000000000001": {},
		"1.0000000000000000001": {},
		"":                      {},
		"-":                     {},
		"+1":                    {},
		" 1":                    {},
		"1 ":                    {},
		"1.":                    {},
		".5":                    {},
		",5":                    {},
		"1.2.3":                 {},
		"1,2,3":                 {},
		"1.2,3":                 {},
		"1e3":                   {},
		"--1":                   {},
		"0x10":                  {},
		"1_000":                 {},
		"٣":                     {},
		"NaN":                   {},
		"1.5\x00":               {},
	}
	for in, want := range tests {
		coef, scale, ok := Parse(in)
		if got := (parsed{coef, scale, ok}); got != want {
			t.Errorf("Parse(%q) = %v, want %v", in, got, want)
		}
		if coef, scale, ok := Parse([]byte(in)); (parsed{coef, scale, ok}) != want {
			t.Errorf("Parse([]byte(%q)) differs from Parse(%q)", in, in)
		}
	}
}

func TestParseJSONNumber(t *testing.T) {
	tests := map[string]parsed{
		"0":                        {0, 0, true},
		"-0":                       {0, 0, true},
		"0.0":                      {0, 0, true},
		"50.25":                    {5025, 2, true},
		"0.0642918":                {642918, 7, true},
		"1e-3":                     {1, 3, true},
		"1E-3":                     {1, 3, true},
		"1e3":                      {1000, 0, true},
		"1e+3":                     {1000, 0, true},
		"1.5e1":                    {15, 0, true},
		"-2.5E-1":                  {-25, 2, true},
		"0e999999999":              {0, 0, true},
		"0.1e-17":                  {1, 18, true},
		"9.223372036854775807e18":  {math.MaxInt64, 0, true},
		"100e-2":                   {1, 0, true},
		"1000e-5":                  {1, 2, true},
		"10000000000000000000e-10": {1000000000, 0, true}, // the digits alone pass an int64
		"100.0e-1":                 {10, 0, true},
		"100.5e-1":                 {1005, 2, true},
		"20e1":                     {200, 0, true},

		"1e-19":        {},
		"123e-20":      {}, // 1.23e-18 needs 20 digits after the point
		"1e19":         {},
		"1e999999999":  {},
		"1e-999999999": {},
		"0,02":         {},
		"01":           {},
		"-01":          {},
		"00":           {},
		"1.":           {},
		".5":           {},
		"1e":           {},
		"1e+":          {},
		"1e3.5":        {},
		"+1":           {},
		"":             {},
		"-":            {},
		" 1":           {},
		"Infinity":     {},
	}
	for in, want := range tests {
		coef, scale, ok := ParseJSONNumber(in)
		if got := (parsed{coef, scale, ok}); got != want {
			t.Errorf("ParseJSONNumber(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestAppend(t *testing.T) {
	tests := []struct {
		coef  int64
		scale uint8
		sep   byte
		want  string
	}{
		{2, 2, '.', "0.02"},
		{2, 2, ',', "0,02"},
		{642918, 7, '.', "0.0642918"},
		{5025, 2, ',', "50,25"},
		{200000, 7, ',', "0,02"},
		{120000000, 7, '.', "12"},
		{0, 0, '.', "0"},
		{0, 7, '.', "0"},
		{-3, 0, '.', "-3"},
		{-100000, 7, ',', "-0,01"},
		{15, 1, '.', "1.5"},
		{1, 18, '.', "0.000000000000000001"},
		{math.MaxInt64, 0, '.', "9223372036854775807"},
		{math.MaxInt64, 19, '.', "0.9223372036854775807"},
		{math.MinInt64, 0, '.', "-9223372036854775808"},
		{math.MinInt64, 7, '.', "-922337203685.4775808"},
		{1, 255, '.', "0." + strings.Repeat("0", 254) + "1"},
	}
	for _, tt := range tests {
		if got := string(Append(nil, tt.coef, tt.scale, tt.sep)); got != tt.want {
			t.Errorf("Append(%d, %d, %q) = %q, want %q", tt.coef, tt.scale, tt.sep, got, tt.want)
		}
	}
	if got := string(Append([]byte("price="), 15, 1, '.')); got != "price=1.5" {
		t.Errorf("Append after a prefix = %q", got)
	}
}

// TestNoAllocs holds the promise the wrapper's benchmarks rely on: parsing and formatting
// into a buffer with room allocate nothing.
func TestNoAllocs(t *testing.T) {
	b := []byte("0.0642918")
	var buf [48]byte
	allocs := testing.AllocsPerRun(100, func() {
		Parse("0,02")
		Parse(b)
		ParseJSONNumber(b)
		ParseJSONNumber("1e-3")
		Append(buf[:0], -642918, 7, '.')
	})
	if allocs != 0 {
		t.Errorf("%v allocations, want 0", allocs)
	}
}
