package report

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"strings"
	"time"
)

// The charts are SVG drawn here, inline in the page: no script, no library, the same in a
// browser, in a mail client and on paper. Every bar and point carries a <title> with its
// exact figures, which browsers show on hover.

const (
	chartWidth  = 960
	chartLeft   = 56 // room for the sessions axis
	chartRight  = 48 // room for the conversion axis
	chartTop    = 16
	chartBottom = 40 // room for the days
	plotHeight  = 200
)

// dayChart draws sessions per day as bars and the conversion (verified of finished) as a
// line on a 0–100 % axis.
func dayChart(days []Row) template.HTML {
	if len(days) == 0 {
		return `<p>No sessions in the period.</p>`
	}
	var b strings.Builder
	height := chartTop + plotHeight + chartBottom
	plotWidth := chartWidth - chartLeft - chartRight
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="Sessions and conversion per day">`, chartWidth, height, chartWidth, height)
	maxSessions := 0
	for _, d := range days {
		maxSessions = max(maxSessions, d.Sessions)
	}
	top := niceCeil(maxSessions)
	y := func(v float64, full float64) float64 { return chartTop + plotHeight - v/full*plotHeight }
	// Grid and axes: sessions on the left, conversion on the right.
	for i := 0; i <= 4; i++ {
		v := float64(top) * float64(i) / 4
		yy := y(v, float64(top))
		fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, chartLeft, yy, chartLeft+plotWidth, yy)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`, chartLeft-6, yy+4, trimFloat(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f">%d%%</text>`, chartLeft+plotWidth+6, yy+4, i*25)
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>`, chartLeft, chartTop+plotHeight, chartLeft+plotWidth, chartTop+plotHeight)
	slot := float64(plotWidth) / float64(len(days))
	barWidth := math.Max(slot*0.7, 1)
	labelEvery := max(1, int(math.Ceil(float64(len(days))/12)))
	var points []string
	for i, d := range days {
		x := chartLeft + slot*float64(i) + (slot-barWidth)/2
		yy := y(float64(d.Sessions), float64(top))
		day := d.Day.Format(time.DateOnly)
		conv, hasConv := d.Conversion()
		convText := "no session finished"
		if hasConv {
			convText = "conversion " + percent(conv)
		}
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %d %s, %d verified, %s</title></rect>`,
			x, yy, barWidth, chartTop+plotHeight-yy, day, d.Sessions, plural(d.Sessions, "session"), d.Statuses.Verified, convText)
		if i%labelEvery == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x+barWidth/2, chartTop+plotHeight+16, d.Day.Format("Jan 2"))
		}
		if hasConv {
			cx, cy := x+barWidth/2, y(conv, 1)
			points = append(points, fmt.Sprintf("%.1f,%.1f", cx, cy))
			fmt.Fprintf(&b, `<circle class="dot" cx="%.1f" cy="%.1f" r="3"><title>%s: %s</title></circle>`, cx, cy, day, convText)
		}
	}
	if len(points) > 1 {
		fmt.Fprintf(&b, `<polyline class="conv" points="%s"/>`, strings.Join(points, " "))
	}
	legendY := chartTop + plotHeight + 34
	fmt.Fprintf(&b, `<rect class="bar" x="%d" y="%d" width="10" height="10"/><text x="%d" y="%d">sessions (left axis)</text>`, chartLeft, legendY-9, chartLeft+14, legendY)
	fmt.Fprintf(&b, `<circle class="dot" cx="%d" cy="%d" r="4"/><text x="%d" y="%d">conversion, verified of finished (right axis)</text>`, chartLeft+170, legendY-4, chartLeft+180, legendY)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// countryChart draws the spend in one currency per country as horizontal bars, the largest
// first. Bar lengths use floats; the labels are the exact amounts.
func countryChart(countries []Row, currency string) template.HTML {
	type bar struct {
		country string
		text    string
		value   float64
	}
	var bars []bar
	for _, c := range countries {
		p := c.Spend.In(currency)
		if p.IsZero() {
			continue
		}
		name := c.Country
		if name == "" {
			name = "unknown"
		}
		bars = append(bars, bar{name, p.String(), p.Float64()})
	}
	label := currency
	if label == "" {
		label = "unknown currency"
	}
	if len(bars) == 0 {
		return template.HTML(`<p>Nothing was spent in ` + template.HTMLEscapeString(label) + `.</p>`)
	}
	slices.SortStableFunc(bars, func(a, b bar) int {
		switch {
		case a.value > b.value:
			return -1
		case a.value < b.value:
			return 1
		}
		return strings.Compare(a.country, b.country)
	})
	const rowHeight, nameWidth, amountWidth = 20, 80, 120
	height := chartTop + rowHeight*len(bars) + 8
	plotWidth := chartWidth - nameWidth - amountWidth
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="Spend per country in %s">`,
		chartWidth, height, chartWidth, height, template.HTMLEscapeString(label))
	fmt.Fprintf(&b, `<text x="0" y="11">%s</text>`, template.HTMLEscapeString(label))
	top := bars[0].value
	for i, br := range bars {
		y := chartTop + rowHeight*i
		w := 1.0
		if top > 0 {
			w = math.Max(br.value/top*float64(plotWidth), 1)
		}
		name, text := template.HTMLEscapeString(br.country), template.HTMLEscapeString(br.text)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, nameWidth-8, y+13, name)
		fmt.Fprintf(&b, `<rect class="spend" x="%d" y="%d" width="%.1f" height="%d"><title>%s: %s %s</title></rect>`,
			nameWidth, y+2, w, rowHeight-6, name, text, template.HTMLEscapeString(currency))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%s</text>`, float64(nameWidth)+w+6, y+13, text)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceCeil rounds n up to 1, 2 or 5 times a power of ten (at least 4), so the axis reads well.
func niceCeil(n int) int {
	if n <= 4 {
		return 4
	}
	p := 1
	for p*10 < n {
		p *= 10
	}
	for _, m := range []int{1, 2, 4, 5, 10} {
		if m*p >= n {
			return m * p
		}
	}
	return 10 * p
}

func trimFloat(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}
