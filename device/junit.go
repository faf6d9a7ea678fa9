package device

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// The JUnit XML shape that CI systems (Jenkins, GitLab, GitHub actions)
// read: one testsuite per run, one testcase per script.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Hostname  string      `xml:"hostname,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
	SystemErr string        `xml:"system-err,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// WriteJUnit writes the report as JUnit XML: a script that raised is a
// <failure> holding its traceback, one that timed out a <failure> of type
// "timeout", one that could not run an <error>; output is in <system-out>.
func WriteJUnit(w io.Writer, r *Report) error {
	suite := junitSuite{
		Name:      r.Target,
		Tests:     len(r.Results),
		Failures:  r.Count(Fail) + r.Count(Timeout),
		Errors:    r.Count(Error),
		Time:      seconds(r.Duration),
		Timestamp: r.Started.UTC().Format("2006-01-02T15:04:05"),
	}
	if h, err := os.Hostname(); err == nil {
		suite.Hostname = h
	}
	for _, res := range r.Results {
		c := junitCase{
			Name:      res.Script,
			Classname: r.Target,
			File:      res.Script,
			Time:      seconds(res.Duration),
			SystemOut: res.Stdout,
		}
		switch res.Status {
		case Fail:
			c.Failure = &junitProblem{Message: lastLine(res.Stderr), Type: exceptionType(res.Stderr), Text: res.Stderr}
		case Timeout:
			c.Failure = &junitProblem{Message: "timed out: " + res.Err.Error(), Type: "timeout", Text: res.Stderr}
		case Error:
			c.Error = &junitProblem{Message: res.Err.Error(), Type: "error", Text: res.Stderr}
		}
		if res.Status == Pass {
			c.SystemErr = res.Stderr
		}
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{
		Name:     "mpforge",
		Tests:    suite.Tests,
		Failures: suite.Failures,
		Errors:   suite.Errors,
		Time:     suite.Time,
		Suites:   []junitSuite{suite},
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing JUnit XML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// WriteJUnitFile writes the report as JUnit XML to path.
func WriteJUnitFile(path string, r *Report) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("JUnit report: %w", err)
	}
	if err := WriteJUnit(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// lastLine is the traceback's last non-empty line, e.g. "ValueError: boom".
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// exceptionType is the exception's class from the traceback's last line.
func exceptionType(s string) string {
	last := lastLine(s)
	if i := strings.IndexByte(last, ':'); i > 0 {
		return last[:i]
	}
	return last
}
