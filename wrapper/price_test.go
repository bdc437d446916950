package wrapper

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustPrice(t testing.TB, s string) Price {
	t.Helper()
	p, err := ParsePrice(s)
	require.NoError(t, err, "ParsePrice(%q)", s)
	return p
}

func TestParsePriceAccepts(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"0", "0"},
		{"0,02", "0.02"},
		{"0.02", "0.02"},
		{"50.25", "50.25"},
		{"0.0642918", "0.0642918"},
		{"1.50", "1.5"},
		{"1,500", "1.5"},
		{"100", "100"},
		{"100.000", "100"},
		{"-1.5", "-1.5"},
		{"-0", "0"},
		{"-0.00", "0"},
		{"007.10", "7.1"},
		{"0.000000000000000001", "0.000000000000000001"},
		{"123456789.123456789", "123456789.123456789"},     // 18 significant digits
		{"9223372036854775807", "9223372036854775807"},     // the largest coefficient
		{"-9223372036854775807", "-9223372036854775807"},   // and its negative
		{"922337203.6854775807", "922337203.6854775807"},   // 19 digits with a scale
		{"1.0000000000000000000000000", "1"},               // trailing zeros carry no precision
		{"00000000000000000000000000001", "1"},             // nor do leading ones
		{"0.100000000000000000000", "0.1"},                 // zeros after the last digit
		{"10000000000000000", "10000000000000000"},         // integer zeros are significant
		{"0.000000000000000000000000000", "0"},             // zero in any length
		{"999999999999999999", "999999999999999999"},       // 18 nines
		{"0.999999999999999999", "0.999999999999999999"},   // 18 nines after the point
		{"12345678901234567.8", "12345678901234567.8"},     // 18 digits across the point
		{"1,000000000000000001", "1.000000000000000001"},   // 19 digits, scale 18
		{"5.000000000000000000000", "5"},                   // scale beyond 18 in zeros only
		{"4611686018427387904.0", "4611686018427387904"},   // 2^62
		{"-9223372036854775.807", "-9223372036854775.807"}, // negative with a scale
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePrice(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, p.String())
			again, err := ParsePrice(p.String())
			require.NoError(t, err)
			assert.Equal(t, p, again, "String round trip")
		})
	}
}

func TestParsePriceRejects(t *testing.T) {
	tests := []string{
		"", " ", "abc", "1,2,3", "1.2.3", "1,2.3", " 1", "1 ", "1.", ".5", ",5", "1,", "+1", "--1", "-",
		"1e3", "1E3", "1e-3", "0x10", "1_000", "1 000", "١", "NaN", "Inf", "-.5", "1..2", "0.0.0",
		"9223372036854775808",   // one more than the largest coefficient
		"99999999999999999999",  // 20 digits
		"0.0000000000000000001", // 19 decimals
		"1.0000000000000000001", // 20 significant digits
		"92233720368547758.08",  // coefficient overflow with a scale
		"\"1\"", "1\x00", "１",   // quotes, NUL, a full-width digit
	}
	for _, in := range tests {
		t.Run(in, func(t *testing.T) {
			p, err := ParsePrice(in)
			require.Error(t, err)
			assert.ErrorIs(t, err, errInvalidPrice)
			assert.True(t, p.IsZero())
		})
	}
}

func TestParsePriceErrorIsShort(t *testing.T) {
	_, err := ParsePrice(strings.Repeat("9", 10000))
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 100)
}

func TestPriceEquality(t *testing.T) {
	assert.Equal(t, mustPrice(t, "1.5"), mustPrice(t, "1,50"))
	assert.True(t, mustPrice(t, "0.02") == mustPrice(t, "0,020"))
	assert.Equal(t, Price{}, mustPrice(t, "0.000"))
	assert.Equal(t, Price{}, mustPrice(t, "-0"))
	assert.NotEqual(t, mustPrice(t, "1.5"), mustPrice(t, "15"))
}

func TestPriceAdd(t *testing.T) {
	tests := []struct {
		a, b, want string
	}{
		{"0.1", "0.2", "0.3"},
		{"0", "0", "0"},
		{"0,02", "0.0642918", "0.0842918"},
		{"50.25", "0.75", "51"},
		{"1.5", "-1.5", "0"},
		{"-1.5", "0.25", "-1.25"},
		{"0.25", "-1.5", "-1.25"},
		{"-0.1", "-0.2", "-0.3"},
		{"999999999999999999", "1", "1000000000000000000"},
		{"0.000000000000000001", "0.000000000000000001", "0.000000000000000002"},
		{"4611686018427387903", "4611686018427387904", "9223372036854775807"},
		// Beyond what a Price holds: rounded half to even, then saturated; never a panic.
		{"9", "0.000000000000000001", "9.000000000000000001"},
		{"10", "0.000000000000000001", "10"},                   // 20 digits: the last one drops
		{"10", "0.000000000000000005", "10"},                   // a tie goes to the even digit
		{"10", "0.000000000000000015", "10.00000000000000002"}, // and up to the even one here
		{"10", "0.000000000000000016", "10.00000000000000002"}, // above half rounds up
		{"9223372036854775807", "0.5", "9223372036854775807"},  // saturates
		{"9223372036854775807", "1", "9223372036854775807"},    // saturates
		{"-9223372036854775807", "-1", "-9223372036854775807"}, // on both sides
		{"922337203685477580.7", "0.05", "922337203685477581"}, // 2^63 after rounding: one digit less
		{"9223372036854775807", "-9223372036854775807", "0"},   // exact again
		{"0.999999999999999999", "9223372036854775806", "9223372036854775807"},
	}
	for _, tt := range tests {
		t.Run(tt.a+"+"+tt.b, func(t *testing.T) {
			a, b := mustPrice(t, tt.a), mustPrice(t, tt.b)
			assert.Equal(t, tt.want, a.Add(b).String())
			assert.Equal(t, tt.want, b.Add(a).String(), "commutative")
			assert.Equal(t, mustPrice(t, tt.want), a.Add(b), "canonical")
		})
	}
}

func TestPriceAddManyIsExact(t *testing.T) {
	var sum Price
	step := mustPrice(t, "0.0642918")
	for range 1000 {
		sum = sum.Add(step)
	}
	assert.Equal(t, "64.2918", sum.String())

	var f float64
	for range 1000 {
		f += 0.0642918
	}
	assert.NotEqual(t, 64.2918, f, "the float sum drifts; the Price sum does not")
}

func TestPriceFloat64(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"0", 0},
		{"0,02", 0.02},
		{"0.0642918", 0.0642918},
		{"50.25", 50.25},
		{"-1.5", -1.5},
		{"0.000000000000000001", 1e-18},
		{"9223372036854775807", 9223372036854775807},
		{"922337203.6854775807", 922337203.6854775807},
		{"-92233720368547.75807", -92233720368547.75807},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, mustPrice(t, tt.in).Float64())
		})
	}
}

func TestPriceIsZero(t *testing.T) {
	assert.True(t, Price{}.IsZero())
	assert.True(t, mustPrice(t, "0,00").IsZero())
	assert.False(t, mustPrice(t, "0.000000000000000001").IsZero())
	assert.False(t, mustPrice(t, "-1").IsZero())
}

func TestPriceJSON(t *testing.T) {
	b, err := json.Marshal(mustPrice(t, "0,0642918"))
	require.NoError(t, err)
	assert.Equal(t, `"0.0642918"`, string(b))

	b, err = json.Marshal(struct{ P Price }{})
	require.NoError(t, err)
	assert.Equal(t, `{"P":"0"}`, string(b))

	tests := []struct {
		in, want string
	}{
		{`{"p":50.25}`, "50.25"},
		{`{"p":0.0642918}`, "0.0642918"},
		{`{"p":"0,02"}`, "0.02"},
		{`{"p":"0.02"}`, "0.02"},
		{`{"p":null}`, "0"},
		{`{"p":""}`, "0"},
		{`{}`, "0"},
		{`{"p":1e-3}`, "0.001"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var v struct {
				P Price `json:"p"`
			}
			require.NoError(t, json.Unmarshal([]byte(tt.in), &v))
			assert.Equal(t, tt.want, v.P.String())
		})
	}

	var v struct{ P Price }
	err = json.Unmarshal([]byte(`{"P":"abc"}`), &v)
	require.Error(t, err)
	assert.ErrorIs(t, err, errInvalidPrice)
	err = json.Unmarshal([]byte(`{"P":true}`), &v)
	assert.ErrorIs(t, err, errInvalidPrice)
}

func TestPriceText(t *testing.T) {
	b, err := mustPrice(t, "1,50").MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "1.5", string(b))

	var p Price
	require.NoError(t, p.UnmarshalText([]byte("0,02")))
	assert.Equal(t, "0.02", p.String())
	assert.ErrorIs(t, p.UnmarshalText([]byte("1e3")), errInvalidPrice)
	assert.Equal(t, "0.02", p.String(), "a refused value leaves p unchanged")
}

func TestPriceFromJSON(t *testing.T) {
	tests := []struct {
		name, raw, want string
	}{
		{"documented string with comma", `"0,02"`, "0.02"},
		{"documented number", `50.25`, "50.25"},
		{"documented message price", `0.0642918`, "0.0642918"},
		{"zero number", `0`, "0"},
		{"zero float", `0.0`, "0"},
		{"negative", `-1.5`, "-1.5"},
		{"negative zero", `-0`, "0"},
		{"string with dot", `"50.25"`, "50.25"},
		{"null", `null`, "0"},
		{"nothing", ``, "0"},
		{"white space only", " \n\t", "0"},
		{"empty string", `""`, "0"},
		{"surrounding white space", " 50.25\n", "50.25"},
		{"exponent", `1e-3`, "0.001"},
		{"exponent upper case", `5E+2`, "500"},
		{"exponent with fraction", `6.42918e-2`, "0.0642918"},
		{"PHP style exponent", `1.0e-5`, "0.00001"},
		{"exponent keeping zeros", `100e-20`, "0.000000000000000001"},
		{"zero with huge exponent", `0e999999999999`, "0"},
		{"escaped string", `"0\u002c02"`, "0.02"},
		{"escaped empty string", `"\u0030"`, "0"},
		{"float64 noise kept exactly", `0.30000000000000004`, "0.30000000000000004"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := priceFromJSON([]byte(tt.raw))
			require.NoError(t, err)
			assert.Equal(t, tt.want, p.String())
		})
	}
}

func TestPriceFromJSONRejects(t *testing.T) {
	tests := []string{
		`"abc"`, `"1e3"`, `"1,2,3"`, `" 1"`, `"1"x`, `"1`, `"`, `1"`, `true`, `false`, `{}`, `[]`,
		`[1]`, `{"amount":1}`, `01`, `1.`, `.5`, `+1`, `1e`, `1e+`, `--1`, `0x1`, `NaN`, `Infinity`,
		`1e999999999999`, `1e-19`, `99999999999999999999`, `1,5`, `nul`, `nulll`, `"\x"`, `"\u00"`,
		`"1\n"`, `1 2`,
	}
	for _, raw := range tests {
		t.Run(raw, func(t *testing.T) {
			p, err := priceFromJSON([]byte(raw))
			require.Error(t, err)
			assert.ErrorIs(t, err, errInvalidPrice)
			assert.True(t, p.IsZero())
		})
	}
}

func TestPriceFromJSONDoesNotAllocate(t *testing.T) {
	for _, raw := range []string{`"0,02"`, `50.25`, `0.0642918`, `null`, `0`, `1e-3`} {
		b := []byte(raw)
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := priceFromJSON(b); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, raw)
	}
}

func TestPriceNeverHoldsAFloat(t *testing.T) {
	// A value a float64 cannot hold exactly survives decoding and encoding digit for digit.
	const exact = "0.123456789012345678"
	p, err := priceFromJSON([]byte(exact))
	require.NoError(t, err)
	assert.Equal(t, exact, p.String())
	assert.NotEqual(t, exact, strconv.FormatFloat(p.Float64(), 'f', -1, 64), "a float would have lost digits")
}

func TestPriceErrorsWrap(t *testing.T) {
	_, err := ParsePrice("x")
	assert.True(t, errors.Is(err, errInvalidPrice))
	assert.Contains(t, err.Error(), `"x"`)
}

func BenchmarkPriceFromJSON(b *testing.B) {
	for _, raw := range []string{`"0,02"`, `0.0642918`} {
		in := []byte(raw)
		b.Run(raw, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := priceFromJSON(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestPriceCmp(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{a: "0", b: "0", want: 0},
		{a: "1.5", b: "1,50", want: 0},
		{a: "0.02", b: "0.0642918", want: -1},
		{a: "50.25", b: "50.2", want: 1},
		{a: "-0.5", b: "0.3", want: -1},
		{a: "-1.5", b: "-0.5", want: -1},
		{a: "-1", b: "-1.000000000000000001", want: 1},
		{a: "9223372036854775807", b: "922337203685477580.7", want: 1},
		{a: "0.000000000000000001", b: "0", want: 1},
		{a: "-9223372036854775807", b: "-0.000000000000000001", want: -1},
		{a: "922337203.6854775807", b: "922337203.6854775806", want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			a, b := mustPrice(t, tt.a), mustPrice(t, tt.b)
			assert.Equal(t, tt.want, a.Cmp(b))
			assert.Equal(t, -tt.want, b.Cmp(a), "antisymmetric")
		})
	}
}

func TestPriceNegSub(t *testing.T) {
	tests := []struct {
		a, b, diff string
	}{
		{a: "0.1", b: "0.3", diff: "-0.2"},
		{a: "50.25", b: "0,02", diff: "50.23"},
		{a: "0", b: "0", diff: "0"},
		{a: "-1.5", b: "-1.5", diff: "0"},
		{a: "-9223372036854775807", b: "1", diff: "-9223372036854775807"}, // saturates like Add
	}
	for _, tt := range tests {
		t.Run(tt.a+"-"+tt.b, func(t *testing.T) {
			a, b := mustPrice(t, tt.a), mustPrice(t, tt.b)
			assert.Equal(t, mustPrice(t, tt.diff), a.Sub(b))
			assert.Equal(t, a, a.Neg().Neg())
			assert.Equal(t, 0, a.Add(a.Neg()).Cmp(Price{}))
		})
	}
	assert.Equal(t, Price{}, Price{}.Neg(), "-0 is the zero Price")
	assert.Equal(t, "-9223372036854775807", mustPrice(t, "9223372036854775807").Neg().String())
}

func TestPriceAddExact(t *testing.T) {
	tests := []struct {
		a, b string
		want string // "" for ErrPriceOverflow
	}{
		{a: "0,02", b: "0.0642918", want: "0.0842918"},
		{a: "4611686018427387903", b: "4611686018427387904", want: "9223372036854775807"},
		// The operand at the common scale overflows int64, the exact sum does not.
		{a: "922337203685477581", b: "-0.3", want: "922337203685477580.7"},
		{a: "-922337203685477581", b: "0.3", want: "-922337203685477580.7"},
		{a: "9223372036854775807", b: "1"},
		{a: "-9223372036854775807", b: "-1"},
		{a: "10", b: "0.000000000000000001"},   // 20 significant digits
		{a: "9223372036854775807", b: "0.5"},   // would round
		{a: "922337203685477580.7", b: "0.05"}, // would round
	}
	for _, tt := range tests {
		t.Run(tt.a+"+"+tt.b, func(t *testing.T) {
			a, b := mustPrice(t, tt.a), mustPrice(t, tt.b)
			sum, err := a.AddExact(b)
			if tt.want == "" {
				require.ErrorIs(t, err, ErrPriceOverflow)
				assert.Equal(t, Price{}, sum)
				_, err = a.SubExact(b.Neg())
				assert.ErrorIs(t, err, ErrPriceOverflow)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, mustPrice(t, tt.want), sum)
			assert.Equal(t, sum, a.Add(b), "Add agrees where the sum fits")
			diff, err := sum.SubExact(b)
			require.NoError(t, err)
			assert.Equal(t, a, diff)
		})
	}
}

func TestPriceCoef(t *testing.T) {
	tests := []struct {
		in    string
		coef  int64
		scale int
	}{
		{in: "0", coef: 0, scale: 0},
		{in: "0,02", coef: 2, scale: 2},
		{in: "1.50", coef: 15, scale: 1},
		{in: "100", coef: 100, scale: 0},
		{in: "-0.0642918", coef: -642918, scale: 7},
		{in: "0.000000000000000001", coef: 1, scale: 18},
		{in: "9223372036854775807", coef: 9223372036854775807, scale: 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			coef, scale := mustPrice(t, tt.in).Coef()
			assert.Equal(t, tt.coef, coef)
			assert.Equal(t, tt.scale, scale)
		})
	}
}
