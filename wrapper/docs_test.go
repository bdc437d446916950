package wrapper_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResultFieldsDocumented: every field of the result types says, in its own doc comment,
// what the service means by it.
func TestResultFieldsDocumented(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "types.go", nil, parser.ParseComments)
	require.NoError(t, err)
	want := []string{"Authentication", "Message", "Template", "AuthenticationPage", "TemplatePage"}
	var seen []string
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || !slices.Contains(want, ts.Name.Name) {
			return true
		}
		seen = append(seen, ts.Name.Name)
		for _, field := range ts.Type.(*ast.StructType).Fields.List {
			var names []string
			for _, id := range field.Names {
				names = append(names, id.Name)
			}
			name := ts.Name.Name + "." + strings.Join(names, ",")
			assert.Len(t, field.Names, 1, "%s: one field per declaration, each with its own comment", name)
			if assert.NotNil(t, field.Doc, "%s has no doc comment", name) {
				assert.True(t, strings.HasPrefix(field.Doc.Text(), field.Names[0].Name+" "),
					"%s: the comment starts with the field's name: %q", name, field.Doc.Text())
			}
		}
		return true
	})
	assert.ElementsMatch(t, want, seen)
}

// readme is the repository's README.
func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	return string(b)
}

// TestReadmeDependencies: what the README says the wrapper brings along is what it brings.
func TestReadmeDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{with .Module}}{{if not .Main}}{{.Path}}{{end}}{{end}}", ".").Output()
	require.NoError(t, err)
	var modules []string
	for _, m := range strings.Fields(string(out)) {
		if !slices.Contains(modules, m) {
			modules = append(modules, m)
		}
	}
	require.NotEmpty(t, modules)
	text := readme(t)
	start := strings.Index(text, "<!-- dependencies -->")
	end := strings.Index(text, "<!-- /dependencies -->")
	require.True(t, start >= 0 && end > start, "the README marks its dependency statement")
	statement := text[start:end]
	listed := regexp.MustCompile("`(github\\.com/[^`]+)`").FindAllStringSubmatch(statement, -1)
	var claimed []string
	for _, m := range listed {
		claimed = append(claimed, m[1])
	}
	assert.ElementsMatch(t, modules, claimed, "go list -deps ./wrapper against the README")
}

// TestReadmeQuotesTheSandboxExample: the README's "From Go" snippet is the body of
// Example_sandbox, so it compiles and runs.
func TestReadmeQuotesTheSandboxExample(t *testing.T) {
	src, err := os.ReadFile("example_sandbox_test.go")
	require.NoError(t, err)
	s := string(src)
	start := strings.Index(s, "func Example_sandbox() {\n")
	require.GreaterOrEqual(t, start, 0)
	body := s[start+len("func Example_sandbox() {\n"):]
	body = body[:strings.Index(body, "\t// Output:")]
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
		lines = append(lines, strings.TrimPrefix(l, "\t"))
	}
	assert.Contains(t, readme(t), "```go\n"+strings.Join(lines, "\n")+"\n```")
}

// TestReadmeVerifySwitch: the README's handling of a verify covers every outcome and never
// sends the user to ResendOTP after the session has ended.
func TestReadmeVerifySwitch(t *testing.T) {
	text := readme(t)
	start := strings.Index(text, "_, err = client.VerifyOTP(ctx, auth.ID, codeTypedByUser)")
	require.GreaterOrEqual(t, start, 0)
	block := text[start:]
	block = block[:strings.Index(block, "```")]
	for _, s := range []string{"ErrWrongCode", "ErrCodeExpired", "ErrAttemptsExceeded", "ErrAuthenticationFailed",
		"ErrAuthenticationExpired", "ErrAuthenticationCanceled", "ErrAuthenticationInvalidStatus", "ErrAuthenticationNotFound",
		"ErrInvalidParams", "ErrRateLimited"} {
		assert.Contains(t, block, "wrapper."+s, "the switch handles %s", s)
	}
	assert.NotContains(t, block, "ResendOTP", "a finished session cannot be resent")
}
