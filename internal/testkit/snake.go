package testkit

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
)

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// NotSnakeCase returns the path of every object key in the JSON document doc that is not
// snake_case ("rows[0].Sessions"), sorted; none means every key is.
func NotSnakeCase(doc []byte) ([]string, error) {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, err
	}
	var bad []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				p := k
				if path != "" {
					p = path + "." + k
				}
				if !snakeCase.MatchString(k) {
					bad = append(bad, p)
				}
				walk(p, e)
			}
		case []any:
			for i, e := range v {
				walk(path+"["+strconv.Itoa(i)+"]", e)
			}
		}
	}
	walk("", v)
	slices.Sort(bad)
	return bad, nil
}
