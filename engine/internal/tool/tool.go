// Package tool is the contract between the host shell and the tools it runs
// (key_mgmt_util, cloudhsm_mgmt_util): a tool takes one line at a time and
// answers with its output, and may instead ask a question whose answer is
// the next line the user types (a y/n confirmation, a hidden password).
package tool

// Result is what a tool answers to one line.
type Result struct {
	// Output is the text the real tool prints, lines ending in "\n".
	Output string
	// Changed reports that the cluster or the files changed, so the state
	// must be saved before the reply goes back.
	Changed bool
	// Exit reports that the tool ended (exit, quit) and the host shell
	// takes over again.
	Exit bool
	// Ask, when set, means the tool waits for an answer.
	Ask *Question
	// Calls is what the line asked of the HSMs and what they answered, in
	// order: the typed form of the return codes and values in Output.
	Calls []Call
}

// Question waits for one line of input.
type Question struct {
	// Prompt is printed without a newline, e.g. "Do you want to continue(y/n)?".
	Prompt string
	// Secret answers are not echoed and are masked in history.
	Secret bool
	// Shell marks a question the real tool asks while the user works in a
	// second terminal (signing the token file it just wrote): a line that
	// starts with "!" runs in the host shell instead, and the question is
	// asked again.
	Shell bool
	// Answer receives the typed line (without its newline) and returns the
	// rest of the command's result, which may ask again.
	Answer func(answer string) Result
}

// Tool is one running command-line tool.
type Tool interface {
	// Name is the program name, e.g. "key_mgmt_util".
	Name() string
	// Prompt is shown before each line ("Command: ", "aws-cloudhsm>").
	Prompt() string
	// Exec runs one line.
	Exec(line string) Result
	// Complete says what the last word of line is (the word being typed;
	// "" after a trailing space), as the tool's command table reads it.
	Complete(line string) Slot
	// Close ends the tool as quitting it would (logging out, dropping
	// session keys) and returns what it prints.
	Close() Result
}

// Merge appends b's output to a and combines the flags; b's question and
// exit win.
func Merge(a, b Result) Result {
	a.Output += b.Output
	a.Changed = a.Changed || b.Changed
	a.Exit = b.Exit
	a.Ask = b.Ask
	a.Calls = append(a.Calls, b.Calls...)
	return a
}
