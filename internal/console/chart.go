package console

import (
	"bytes"
	"html/template"

	"github.com/mteja/mteja/internal/report"
)

// chart draws a plot as inline SVG in the page's language, with the
// reports' own writer, so that every chart of the console is drawn one
// way. The writer escapes every text it draws.
func chart(p report.Plot, lang string) (template.HTML, error) {
	var b bytes.Buffer
	if err := report.WriteSVG(&b, p, report.Lang(lang)); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

// label is a phrase of the console in both languages, for a chart.
func label(key string, args ...any) report.Label {
	return report.Label{EN: t(langEN, key, args...), SW: t(langSW, key, args...)}
}
