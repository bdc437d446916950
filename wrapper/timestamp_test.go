package wrapper

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTimestampAccepts(t *testing.T) {
	base := time.Date(2023, 1, 4, 17, 37, 6, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2023-01-04 17:37:06", base},
		{"2023-01-04T17:37:06", base},
		{"2023-01-04t17:37:06", base},
		{"2023-01-04 17:37:06Z", base},
		{"2023-01-04T17:37:06Z", base},
		{"2023-01-04T17:37:06z", base},
		{"2023-01-04 17:37:06+00:00", base},
		{"2023-01-04T17:37:06+00:00", base},
		{"2023-01-04T17:37:06+0000", base},
		{"2023-01-04T17:37:06-00:00", base},
		{"2023-01-04T17:37:06+00", base},
		{"2023-01-04T19:37:06+02:00", base},
		{"2023-01-04T20:07:06+0230", base},
		{"2023-01-04T12:37:06-05:00", base},
		{"2023-01-05T03:37:06+10", base},
		{"2023-01-04T17:37:06.5Z", base.Add(500 * time.Millisecond)},
		{"2023-01-04 17:37:06.123456", base.Add(123456 * time.Microsecond)},
		{"2023-01-04 17:37:06,25", base.Add(250 * time.Millisecond)},
		{"2023-01-04T17:37:06.123456789+00:00", base.Add(123456789)},
		{"2023-01-04T17:37:06.1234567891234Z", base.Add(123456789)}, // beyond nanoseconds: dropped
		{"2023-01-04T19:37:06.000001+02:00", base.Add(time.Microsecond)},
		{"2000-01-23 04:56:07+00:00", time.Date(2000, 1, 23, 4, 56, 7, 0, time.UTC)}, // the vendor's example
		{"2024-02-29 00:00:00", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"2000-02-29 23:59:59", time.Date(2000, 2, 29, 23, 59, 59, 0, time.UTC)},
		{"2023-12-31T23:59:59-01:00", time.Date(2024, 1, 1, 0, 59, 59, 0, time.UTC)},
		{"0001-01-01 00:00:00", time.Time{}},
		{"9999-12-31 23:59:59", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseTimestamp(tt.in)
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(got), "got %v, want %v", got, tt.want)
			assert.Equal(t, time.UTC, got.Location())
		})
	}
}

func TestParseTimestampEmptyIsZero(t *testing.T) {
	got, err := parseTimestamp("")
	require.NoError(t, err)
	assert.True(t, got.IsZero())
}

func TestParseTimestampAgreesWithTimeParse(t *testing.T) {
	for _, in := range []string{
		"2023-01-04T17:37:06Z", "2022-04-18T11:00:30.25+03:00", "1999-12-31T23:59:59-12:30",
		"2020-02-29T12:00:00.000000001Z",
	} {
		want, err := time.Parse(time.RFC3339Nano, in)
		require.NoError(t, err)
		got, err := parseTimestamp(in)
		require.NoError(t, err)
		assert.True(t, want.Equal(got), in)
	}
}

func TestParseTimestampRejects(t *testing.T) {
	tests := []string{
		" ", "abc", "2023-01-04", "2023-01-04 17:37", "2023-01-04 17:37:6", "2023-1-04 17:37:06",
		"2023/01/04 17:37:06", "2023-01-04_17:37:06", "2023-01-04  17:37:06", " 2023-01-04 17:37:06",
		"2023-01-04 17:37:06 ", "2023-01-04 17:37:06.", "2023-01-04 17:37:06.Z", "2023-01-04 17:37:06Zjunk",
		"2023-01-04 17:37:06+", "2023-01-04 17:37:06+0", "2023-01-04 17:37:06+00:", "2023-01-04 17:37:06+00:0",
		"2023-01-04 17:37:06+000", "2023-01-04 17:37:06+00000", "2023-01-04 17:37:06+24:00",
		"2023-01-04 17:37:06+00:60", "2023-01-04 17:37:06 UTC", "2023-01-04 17:37:06 +0000",
		"2023-00-04 17:37:06", "2023-13-04 17:37:06", "2023-01-00 17:37:06", "2023-01-32 17:37:06",
		"2023-02-29 17:37:06", "1900-02-29 00:00:00", "2023-04-31 00:00:00", "2023-01-04 24:00:00",
		"2023-01-04 17:60:06", "2023-01-04 17:37:60", "-023-01-04 17:37:06", "+2023-01-04 17:37:06",
		"2023-01-04 17:37:0a", "２０２３-01-04 17:37:06", "2023-01-04 17:37:06\x00",
		"1672853826", "Wed, 04 Jan 2023 17:37:06 GMT",
	}
	for _, in := range tests {
		t.Run(in, func(t *testing.T) {
			got, err := parseTimestamp(in)
			require.Error(t, err)
			assert.ErrorIs(t, err, errInvalidTimestamp)
			assert.True(t, got.IsZero())
		})
	}
}

func TestParseTimestampErrorIsShort(t *testing.T) {
	_, err := parseTimestamp("2023-01-04 17:37:06" + strings.Repeat("x", 10000))
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 100)
}

func TestParseTimestampDoesNotAllocate(t *testing.T) {
	for _, in := range []string{"2023-01-04 17:37:06", "2023-01-04T17:37:06.123+02:00"} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := parseTimestamp(in); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, in)
	}
}

func BenchmarkParseTimestamp(b *testing.B) {
	for _, in := range []string{"2023-01-04 17:37:06", "2023-01-04T17:37:06.123+02:00"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parseTimestamp(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
