package report

import (
	"bufio"
	"html/template"
	"io"
	"strconv"
)

// WriteHTML writes the report as one self-contained HTML page: the key figures, an SVG chart
// of sessions and conversion per day, an SVG chart of spend per country (one per currency),
// the table with the total last, and the suspects. Everything is inline (no scripts, fonts,
// styles or images from elsewhere), so the file works offline and as a mail attachment, and
// a print style sheet keeps charts and tables whole on paper. The markup is also well-formed
// XML.
func (rep *Report) WriteHTML(w io.Writer) error {
	cols := rep.columns()
	page := htmlPage{
		Title:     rep.title(),
		CSS:       template.CSS(pageCSS),
		Summary:   rep.summary(),
		DayChart:  dayChart(rep.Days),
		Suspects:  rep.suspectsTitle(),
		Untracked: rep.UntrackedPrefixSessions,
	}
	for _, cur := range rep.Total.Spend.Currencies() {
		page.CountryCharts = append(page.CountryCharts, countryChart(rep.Countries, cur))
	}
	for _, c := range cols {
		page.Header = append(page.Header, htmlCell{Text: c.title, Numeric: c.numeric})
	}
	addRow := func(r *Row, total bool) {
		texts := cells(cols, len(rep.By), r, total, true)
		row := make([]htmlCell, len(texts))
		for i, t := range texts {
			row[i] = htmlCell{Text: t, Numeric: cols[i].numeric}
		}
		page.Rows = append(page.Rows, row)
	}
	if len(rep.By) > 0 {
		for i := range rep.Rows {
			addRow(&rep.Rows[i], false)
		}
	}
	total := Row{Stats: rep.Total}
	addRow(&total, true)
	page.TotalIndex = len(page.Rows) - 1

	scols := rep.suspectColumns()
	for _, c := range scols {
		page.SuspectHeader = append(page.SuspectHeader, htmlCell{Text: c.title, Numeric: c.numeric})
	}
	for i := range rep.Suspects {
		texts := suspectCells(scols, &rep.Suspects[i])
		row := make([]htmlCell, len(texts))
		for j, t := range texts {
			row[j] = htmlCell{Text: t, Numeric: scols[j].numeric}
		}
		page.SuspectRows = append(page.SuspectRows, row)
	}
	bw := bufio.NewWriter(w)
	if err := pageTemplate.Execute(bw, page); err != nil {
		return err
	}
	return bw.Flush()
}

type htmlPage struct {
	Title         string
	CSS           template.CSS
	Summary       []htmlFigure
	DayChart      template.HTML
	CountryCharts []template.HTML
	Header        []htmlCell
	Rows          [][]htmlCell
	TotalIndex    int
	Suspects      string
	SuspectHeader []htmlCell
	SuspectRows   [][]htmlCell
	Untracked     int
}

type htmlCell struct {
	Text    string
	Numeric bool
}

type htmlFigure struct{ Label, Value string }

// summary is the handful of figures at the top of the page.
func (rep *Report) summary() []htmlFigure {
	t := rep.Total
	conv, convAll := "-", "-"
	if v, ok := t.Conversion(); ok {
		conv = percent(v)
	}
	if v, ok := t.ConversionAll(); ok {
		convAll = percent(v)
	}
	figs := []htmlFigure{
		{"Sessions", itoa(t.Sessions)},
		{"Verified", itoa(t.Statuses.Verified)},
		{"Conversion (of finished)", conv},
		{"Conversion (of all)", convAll},
		{"Messages", itoa(t.Messages)},
		{"Spend", t.Spend.String()},
		{"Suspects", itoa(len(rep.Suspects))},
	}
	if t.VerifyTime.Count > 0 {
		figs = append(figs, htmlFigure{"Time to verify, p50 / p90", t.VerifyTime.P50.String() + " / " + t.VerifyTime.P90.String()})
	}
	return figs
}

var pageTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{{.Title}}</title>
<style>{{.CSS}}</style>
</head>
<body>
<header>
<h1>One-time passwords: cost and conversion</h1>
<p class="period">{{.Title}}</p>
</header>
<section class="figures">
<dl>{{range .Summary}}
<div><dt>{{.Label}}</dt><dd>{{.Value}}</dd></div>{{end}}
</dl>
</section>
<section class="chart">
<h2>Sessions and conversion per day</h2>
{{.DayChart}}
</section>
<section class="chart">
<h2>Spend per country</h2>
{{range .CountryCharts}}{{.}}
{{else}}<p>Nothing was spent.</p>
{{end}}</section>
<section>
<h2>Rows</h2>
<table id="rows">
<thead><tr>{{range .Header}}<th{{if .Numeric}} class="num"{{end}}>{{.Text}}</th>{{end}}</tr></thead>
<tbody>{{range $i, $r := .Rows}}
<tr{{if eq $i $.TotalIndex}} class="total"{{end}}>{{range $r}}<td{{if .Numeric}} class="num"{{end}}>{{.Text}}</td>{{end}}</tr>{{end}}
</tbody>
</table>
</section>
<section>
<h2>Suspects</h2>
<p>{{.Suspects}}</p>
{{if .SuspectRows}}<table id="suspects">
<thead><tr>{{range .SuspectHeader}}<th{{if .Numeric}} class="num"{{end}}>{{.Text}}</th>{{end}}</tr></thead>
<tbody>{{range .SuspectRows}}
<tr>{{range .}}<td{{if .Numeric}} class="num"{{end}}>{{.Text}}</td>{{end}}</tr>{{end}}
</tbody>
</table>
{{end}}{{if .Untracked}}<p>{{.Untracked}} sessions were to more groups of numbers than the report follows.</p>
{{end}}</section>
<footer><p>Amounts are exact sums of the prices the service reports, per currency. Conversion is verified sessions out of finished ones (and out of all). Suspects are countries and groups of numbers sharing all but their last 4 digits.</p></footer>
</body>
</html>
`))

const pageCSS = `
:root { color-scheme: light; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1d2330; margin: 2em auto; max-width: 1100px; padding: 0 1em; }
h1 { font-size: 1.6em; margin: 0 0 .2em; }
h2 { font-size: 1.15em; margin: 1.6em 0 .5em; border-bottom: 1px solid #d6dae3; padding-bottom: .2em; }
.period { color: #59607a; margin: 0; }
.figures dl { display: flex; flex-wrap: wrap; gap: .6em; margin: 1em 0; }
.figures div { border: 1px solid #d6dae3; border-radius: 6px; padding: .4em .8em; min-width: 8em; }
.figures dt { color: #59607a; font-size: .85em; }
.figures dd { margin: 0; font-size: 1.2em; font-weight: 600; }
svg { max-width: 100%; height: auto; display: block; margin: .5em 0; }
svg text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; fill: #1d2330; }
.bar { fill: #4a78c2; }
.spend { fill: #c2794a; }
.conv { fill: none; stroke: #2f9d5a; stroke-width: 2; }
.dot { fill: #2f9d5a; }
.axis { stroke: #8a90a6; stroke-width: 1; }
.grid { stroke: #e4e7ee; stroke-width: 1; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: .9em; }
th, td { padding: .25em .5em; border-bottom: 1px solid #e4e7ee; text-align: left; white-space: nowrap; }
th { background: #f3f5f9; }
.num { text-align: right; }
tr.total td { font-weight: 700; border-top: 2px solid #1d2330; }
footer { color: #59607a; font-size: .85em; margin-top: 2em; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  section, svg, tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .figures div { border-color: #999; }
  th { background: none; border-bottom: 1px solid #000; }
  .bar, .spend, .dot { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
`

func itoa(n int) string { return strconv.Itoa(n) }
