package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/report"
)

// byDayCountry builds the scenario's report by day and country, and the test's own rows.
func byDayCountry(t *testing.T) (*report.Report, map[string]*want, *want) {
	t.Helper()
	e, plans := scenarioEnv(t)
	req := period()
	req.By = []report.Dimension{report.Day, report.Country}
	rep, err := report.Build(t.Context(), e.client, req)
	require.NoError(t, err)
	return rep, group(plans, []string{"day", "country"}), group(plans, nil)[""]
}

// fieldsOf splits an aligned line into its cells: two spaces or more part them.
var cellGap = regexp.MustCompile(` {2,}`)

func TestWriteTable(t *testing.T) {
	rep, rows, total := byDayCountry(t)
	var buf bytes.Buffer
	require.NoError(t, rep.WriteTable(&buf))
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	assert.Equal(t, "One-time passwords 2026-11-02 to 2026-11-04, by day, country: "+strconv.Itoa(total.sessions)+" sessions", lines[0])
	assert.Empty(t, lines[1])

	block := lines[2 : 2+1+len(rep.Rows)+1] // header, rows, total
	header := cellGap.Split(block[0], -1)
	assert.Equal(t, []string{"DAY", "COUNTRY", "SESSIONS", "VERIFIED", "PENDING", "EXPIRED", "FAILED", "CANCELED",
		"CONV", "CONV ALL", "MESSAGES", "VERIFY P50", "VERIFY P90", "SPEND USD"}, header)
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for i, line := range block {
		// The last column is right-aligned, so every line of an aligned table is as long.
		assert.Len(t, []rune(line), len([]rune(block[0])), "line %d is not aligned: %q", i, line)
	}
	for _, line := range block[1 : len(block)-1] {
		cells := cellGap.Split(line, -1)
		require.Len(t, cells, len(header), line)
		w := rows[cells[0]+"|"+cells[1]]
		require.NotNil(t, w, line)
		assert.Equal(t, strconv.Itoa(w.sessions), cells[col["SESSIONS"]], line)
		assert.Equal(t, strconv.Itoa(w.verified), cells[col["VERIFIED"]], line)
		assert.Equal(t, strconv.Itoa(w.messages), cells[col["MESSAGES"]], line)
		assert.Equal(t, units(w.sessionUnits+w.messageUnits), cells[col["SPEND USD"]], line)
	}
	last := cellGap.Split(block[len(block)-1], -1)
	assert.Equal(t, "TOTAL", last[0], "the total comes last")
	require.Len(t, last, len(header)-1, "the total has no country")
	assert.Equal(t, strconv.Itoa(total.sessions), last[col["SESSIONS"]-1])
	assert.Equal(t, units(total.sessionUnits+total.messageUnits), last[len(last)-1])

	rest := lines[2+len(block):]
	assert.Empty(t, rest[0])
	assert.Equal(t, "Suspects (at least 20 sessions and less than 20.0% verified): 2", rest[1])
	assert.Regexp(t, `^country +NG +all +24 +3 +12\.5% +24 +\d+\.\d+$`, rest[3])
	assert.Regexp(t, `^prefix +NG +234803000xxxx +22 +1 +4\.5% +22 +\d+\.\d+$`, rest[4])
}

func TestWriteCSV(t *testing.T) {
	rep, rows, _ := byDayCountry(t)
	var buf bytes.Buffer
	require.NoError(t, rep.WriteCSV(&buf))
	assert.Contains(t, buf.String(), "\r\n", "RFC 4180 line ends")
	records, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 1+len(rows), "a header and one line per row, no total")
	header := records[0]
	assert.Equal(t, []string{"day", "country", "sessions", "verified", "pending", "expired", "failed", "canceled",
		"conversion", "conversion_all", "messages", "verify_p50_seconds", "verify_p90_seconds",
		"session_spend_usd", "message_spend_usd", "spend_usd"}, header)
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, rec := range records[1:] {
		w := rows[rec[col["day"]]+"|"+rec[col["country"]]]
		require.NotNil(t, w, rec)
		for name, n := range map[string]int{"sessions": w.sessions, "verified": w.verified, "pending": w.pending,
			"expired": w.expired, "failed": w.failed, "canceled": w.cancels, "messages": w.messages} {
			assert.Equal(t, strconv.Itoa(n), rec[col[name]], "%s %v", name, rec)
		}
		assert.Equal(t, units(w.sessionUnits), rec[col["session_spend_usd"]])
		assert.Equal(t, units(w.messageUnits), rec[col["message_spend_usd"]])
		assert.Equal(t, units(w.sessionUnits+w.messageUnits), rec[col["spend_usd"]])
		assert.NotContains(t, strings.Join(rec, ""), ",", "decimal points only")
		all, err := strconv.ParseFloat(rec[col["conversion_all"]], 64)
		require.NoError(t, err)
		assert.InDelta(t, float64(w.verified)/float64(w.sessions), all, 0.00005)
		if finished := w.verified + w.expired + w.failed + w.cancels; finished == 0 {
			assert.Empty(t, rec[col["conversion"]])
		}
		if len(w.verifySecs) == 0 {
			assert.Empty(t, rec[col["verify_p50_seconds"]])
		} else {
			assert.Equal(t, strconv.Itoa(w.quantile(0.5)), rec[col["verify_p50_seconds"]])
			assert.Equal(t, strconv.Itoa(w.quantile(0.9)), rec[col["verify_p90_seconds"]])
		}
	}
}

func TestWriteJSON(t *testing.T) {
	rep, rows, total := byDayCountry(t)
	var buf bytes.Buffer
	require.NoError(t, rep.WriteJSON(&buf))
	bad, err := testkit.NotSnakeCase(buf.Bytes())
	require.NoError(t, err)
	assert.Empty(t, bad, "keys that are not snake_case")
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&doc))

	assert.Equal(t, "2026-11-02", doc["from"])
	assert.Equal(t, "2026-11-04", doc["to"])
	assert.Equal(t, []any{"day", "country"}, doc["by"])
	spend := func(list any) string {
		l := list.([]any)
		require.Len(t, l, 1)
		a := l[0].(map[string]any)
		assert.Equal(t, "USD", a["currency"])
		return a["amount"].(string)
	}
	jrows := doc["rows"].([]any)
	require.Len(t, jrows, len(rows))
	for _, jr := range jrows {
		r := jr.(map[string]any)
		assert.Nil(t, r["channel"], "not grouped by channel: null")
		w := rows[r["day"].(string)+"|"+r["country"].(string)]
		require.NotNil(t, w, r)
		assert.Equal(t, json.Number(strconv.Itoa(w.sessions)), r["sessions"])
		st := r["statuses"].(map[string]any)
		assert.Equal(t, json.Number(strconv.Itoa(w.verified)), st["verified"])
		assert.Equal(t, json.Number(strconv.Itoa(w.expired)), st["expired"])
		assert.Equal(t, units(w.sessionUnits), spend(r["session_spend"]))
		assert.Equal(t, units(w.messageUnits), spend(r["message_spend"]))
		assert.Equal(t, units(w.sessionUnits+w.messageUnits), spend(r["spend"]))
		vt := r["verify_time"].(map[string]any)
		if len(w.verifySecs) == 0 {
			assert.Nil(t, vt["p50_seconds"])
		} else {
			assert.Equal(t, json.Number(strconv.Itoa(w.quantile(0.5))), vt["p50_seconds"])
		}
	}
	tot := doc["total"].(map[string]any)
	assert.Equal(t, json.Number(strconv.Itoa(total.sessions)), tot["sessions"])
	assert.Equal(t, units(total.sessionUnits+total.messageUnits), spend(tot["spend"]))
	sus := doc["suspects"].([]any)
	require.Len(t, sus, 2)
	assert.Nil(t, sus[0].(map[string]any)["prefix"], "a country has no prefix: null")
	assert.Equal(t, "234803000", sus[1].(map[string]any)["prefix"])
	assert.Len(t, doc["days"], scenarioDays)
}

func TestWriteHTML(t *testing.T) {
	rep, rows, total := byDayCountry(t)
	var buf bytes.Buffer
	require.NoError(t, rep.WriteHTML(&buf))
	page := buf.String()

	// Well-formed: a strict XML reader reads it to the end.
	x := xml.NewDecoder(strings.NewReader(page))
	x.Strict = true
	for {
		_, err := x.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
	}

	doc, err := html.Parse(strings.NewReader(page))
	require.NoError(t, err)
	var (
		svgs     []*html.Node
		bars     []string // titles of the day chart's bars
		spendBar int
		styles   string
	)
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "script", "link", "img", "iframe", "object", "embed", "image", "use", "base":
			t.Errorf("<%s> in a self-contained page", n.Data)
		case "svg":
			svgs = append(svgs, n)
		case "style":
			styles += text(n)
		case "rect":
			switch attr(n, "class") {
			case "bar":
				if n.FirstChild != nil {
					bars = append(bars, text(n))
				}
			case "spend":
				spendBar++
			}
		}
		for _, a := range n.Attr {
			if a.Key == "xmlns" {
				continue // a namespace name, never fetched
			}
			v := strings.ToLower(a.Val)
			assert.False(t, strings.Contains(v, "://") || strings.HasPrefix(v, "//") || strings.Contains(v, "url("),
				"<%s %s=%q> refers outside the page", n.Data, a.Key, a.Val)
		}
	}
	assert.NotContains(t, styles, "@import")
	assert.NotContains(t, styles, "url(")
	assert.Contains(t, styles, "@media print")
	require.Len(t, svgs, 2, "a chart per day and one of spend per country (one currency)")
	require.Len(t, bars, scenarioDays)
	days := group(shared.plans, []string{"day"})
	for i, title := range bars {
		day := first.AddDate(0, 0, i).Format(time.DateOnly)
		assert.True(t, strings.HasPrefix(title, day+": "+strconv.Itoa(days[day].sessions)+" sessions, "+strconv.Itoa(days[day].verified)+" verified"), title)
	}
	assert.Equal(t, len(group(shared.plans, []string{"country"})), spendBar)

	table := byID(doc, "rows")
	require.NotNil(t, table)
	var header []string
	for n := range table.Descendants() {
		if n.Type == html.ElementNode && n.Data == "th" {
			header = append(header, text(n))
		}
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	trs := elements(table, "tr")[1:]
	require.Len(t, trs, len(rows)+1)
	for i, tr := range trs {
		cells := elements(tr, "td")
		require.Len(t, cells, len(header))
		c := func(name string) string { return text(cells[col[name]]) }
		w := total
		if i < len(rows) {
			w = rows[c("DAY")+"|"+c("COUNTRY")]
			require.NotNil(t, w)
		} else {
			assert.Equal(t, "TOTAL", c("DAY"))
			assert.Equal(t, "total", attr(tr, "class"))
		}
		assert.Equal(t, strconv.Itoa(w.sessions), c("SESSIONS"))
		assert.Equal(t, strconv.Itoa(w.failed), c("FAILED"))
		assert.Equal(t, units(w.sessionUnits), c("SESSION FEES USD"))
		assert.Equal(t, units(w.messageUnits), c("MESSAGE FEES USD"))
		assert.Equal(t, units(w.sessionUnits+w.messageUnits), c("SPEND USD"))
	}
	sus := byID(doc, "suspects")
	require.NotNil(t, sus)
	assert.Len(t, elements(sus, "tr"), 1+len(rep.Suspects))
	assert.Contains(t, text(sus), "234803000xxxx")
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func byID(doc *html.Node, id string) *html.Node {
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && attr(n, "id") == id {
			return n
		}
	}
	return nil
}

func elements(root *html.Node, tag string) []*html.Node {
	var out []*html.Node
	for n := range root.Descendants() {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
	}
	return out
}

// TestEmptyPeriod: a period without sessions gives a report of zeros in every form.
func TestEmptyPeriod(t *testing.T) {
	e := newEnv(t)
	req := period()
	req.By = []report.Dimension{report.Country}
	rep, err := report.Build(t.Context(), e.client, req)
	require.NoError(t, err)
	assert.Empty(t, rep.Rows)
	assert.Zero(t, rep.Total.Sessions)
	assert.Equal(t, 1, rep.Pages)

	var table, csvOut, jsonOut, page bytes.Buffer
	require.NoError(t, rep.WriteTable(&table))
	assert.Regexp(t, `\nTOTAL +0 +0 +0 +0 +0 +0 +- +- +0 +- +-\n`, table.String())
	require.NoError(t, rep.WriteCSV(&csvOut))
	assert.Equal(t, "country,sessions,verified,pending,expired,failed,canceled,conversion,conversion_all,messages,verify_p50_seconds,verify_p90_seconds\r\n", csvOut.String())
	require.NoError(t, rep.WriteJSON(&jsonOut))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(jsonOut.Bytes(), &doc))
	assert.Equal(t, []any{}, doc["rows"])
	assert.Nil(t, doc["total"].(map[string]any)["conversion"])
	require.NoError(t, rep.WriteHTML(&page))
	x := xml.NewDecoder(&page)
	for {
		_, err := x.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
	}
}
