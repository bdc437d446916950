package report

import "github.com/go-bsg/bsg2fa/wrapper"

// AggregateForTest sums pages already decoded as Build does, without reading them: what the
// report itself costs, apart from the requests and the decoding.
func AggregateForTest(pages [][]wrapper.Authentication, req Request) *Report {
	g := newAggregator(req.By, DefaultMaxPrefixes)
	for _, page := range pages {
		for i := range page {
			g.add(&page[i])
		}
	}
	return g.report(req.Suspects.withDefaults())
}
