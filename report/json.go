package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// The JSON form follows the service's conventions: snake_case names, money as exact decimal
// strings per currency, days as RFC 3339 full dates ("2026-11-01"), durations in whole
// seconds, and null for what does not exist (a dimension a row is not grouped by, the
// conversion of a row where nothing finished).

type jsonReport struct {
	From                    string        `json:"from"`
	To                      string        `json:"to"`
	By                      []Dimension   `json:"by"`
	Pages                   int           `json:"pages"`
	Rows                    []jsonRow     `json:"rows"`
	Total                   jsonStats     `json:"total"`
	Days                    []jsonRow     `json:"days"`
	Countries               []jsonRow     `json:"countries"`
	SuspectRule             jsonRule      `json:"suspect_rule"`
	Suspects                []jsonSuspect `json:"suspects"`
	UntrackedPrefixSessions int           `json:"untracked_prefix_sessions"`
}

type jsonRule struct {
	MinSessions int     `json:"min_sessions"`
	Rate        float64 `json:"rate"`
}

type jsonRow struct {
	Day     *string `json:"day"`
	Country *string `json:"country"`
	Channel *string `json:"channel"`
	jsonStats
}

type jsonStats struct {
	Sessions      int          `json:"sessions"`
	Statuses      jsonStatuses `json:"statuses"`
	Finished      int          `json:"finished"`
	Conversion    *float64     `json:"conversion"`
	ConversionAll *float64     `json:"conversion_all"`
	Messages      int          `json:"messages"`
	SessionSpend  []jsonAmount `json:"session_spend"`
	MessageSpend  []jsonAmount `json:"message_spend"`
	Spend         []jsonAmount `json:"spend"`
	VerifyTime    jsonTimes    `json:"verify_time"`
}

type jsonStatuses struct {
	Pending  int `json:"pending"`
	Verified int `json:"verified"`
	Expired  int `json:"expired"`
	Failed   int `json:"failed"`
	Canceled int `json:"canceled"`
	Other    int `json:"other"`
}

type jsonTimes struct {
	Count      int    `json:"count"`
	P50Seconds *int64 `json:"p50_seconds"`
	P90Seconds *int64 `json:"p90_seconds"`
}

type jsonAmount struct {
	Currency *string       `json:"currency"`
	Amount   wrapper.Price `json:"amount"`
}

type jsonSuspect struct {
	Kind       SuspectKind  `json:"kind"`
	Country    string       `json:"country"`
	Prefix     *string      `json:"prefix"`
	Sessions   int          `json:"sessions"`
	Verified   int          `json:"verified"`
	Conversion float64      `json:"conversion"`
	Messages   int          `json:"messages"`
	Spend      []jsonAmount `json:"spend"`
}

// WriteJSON writes the report as one indented JSON object.
func (rep *Report) WriteJSON(w io.Writer) error {
	out := jsonReport{
		From:                    rep.From.Format(time.DateOnly),
		To:                      rep.To.Format(time.DateOnly),
		By:                      append([]Dimension{}, rep.By...),
		Pages:                   rep.Pages,
		Rows:                    jsonRows(rep.Rows, rep.By),
		Total:                   toJSONStats(rep.Total),
		Days:                    jsonRows(rep.Days, []Dimension{Day}),
		Countries:               jsonRows(rep.Countries, []Dimension{Country}),
		SuspectRule:             jsonRule{MinSessions: rep.SuspectRule.MinSessions, Rate: rep.SuspectRule.Rate},
		Suspects:                make([]jsonSuspect, 0, len(rep.Suspects)),
		UntrackedPrefixSessions: rep.UntrackedPrefixSessions,
	}
	for _, s := range rep.Suspects {
		js := jsonSuspect{Kind: s.Kind, Country: s.Country, Sessions: s.Sessions, Verified: s.Verified,
			Conversion: s.Conversion(), Messages: s.Messages, Spend: jsonMoney(s.Spend)}
		if s.Kind == SuspectPrefix {
			js.Prefix = ptr(s.Prefix)
		}
		out.Suspects = append(out.Suspects, js)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func jsonRows(rows []Row, by []Dimension) []jsonRow {
	out := make([]jsonRow, 0, len(rows))
	for _, r := range rows {
		jr := jsonRow{jsonStats: toJSONStats(r.Stats)}
		for _, d := range by {
			switch d {
			case Day:
				jr.Day = ptr(r.Day.Format(time.DateOnly))
			case Country:
				jr.Country = ptr(r.Country)
			case Channel:
				jr.Channel = ptr(string(r.Channel))
			}
		}
		out = append(out, jr)
	}
	return out
}

func toJSONStats(s Stats) jsonStats {
	out := jsonStats{
		Sessions:     s.Sessions,
		Statuses:     jsonStatuses(s.Statuses),
		Finished:     s.Statuses.Finished(),
		Messages:     s.Messages,
		SessionSpend: jsonMoney(s.SessionSpend),
		MessageSpend: jsonMoney(s.MessageSpend),
		Spend:        jsonMoney(s.Spend),
		VerifyTime:   jsonTimes{Count: s.VerifyTime.Count},
	}
	if v, ok := s.Conversion(); ok {
		out.Conversion = &v
	}
	if v, ok := s.ConversionAll(); ok {
		out.ConversionAll = &v
	}
	if s.VerifyTime.Count > 0 {
		out.VerifyTime.P50Seconds = ptr(int64(s.VerifyTime.P50 / time.Second))
		out.VerifyTime.P90Seconds = ptr(int64(s.VerifyTime.P90 / time.Second))
	}
	return out
}

// jsonMoney is a list of amounts, [] when there are none; a currency the service did not
// name is null.
func jsonMoney(m Money) []jsonAmount {
	out := make([]jsonAmount, 0, len(m))
	for _, a := range m {
		ja := jsonAmount{Amount: a.Value}
		if a.Currency != "" {
			ja.Currency = ptr(a.Currency)
		}
		out = append(out, ja)
	}
	return out
}

func ptr[T any](v T) *T { return &v }
