package tool

// Kind is what a parameter of a command holds. The command tables of the
// tools give every parameter a kind, and everything that reads a line
// without running it answers from there: Tab completion (which values to
// offer), masking (which words are secrets) and the API's limits (which
// number is the size of an RSA key to generate).
type Kind int

// The kinds of parameter.
const (
	// Switch is a flag without a value (-nex, -sess).
	Switch Kind = iota
	// Text is free text: a label, an id, a hex string.
	Text
	// Number is a count, a size or a code.
	Number
	// Handle is a key handle.
	Handle
	// File is a file name.
	File
	// Users is a comma-separated list of user ids.
	Users
	// User is one user id.
	User
	// UserName is a user's name.
	UserName
	// UserType is CO, CU, AU or PRECO.
	UserType
	// Secret is a password: masked in history and shares; its mask typed
	// back (a recalled line) makes the tool ask for it.
	Secret
	// Attribute is an attribute id (OBJ_ATTR_...).
	Attribute
	// Mechanism is a mechanism id; the parameter lists the ones it takes.
	Mechanism
	// Curve is an elliptic curve id (genECCKeyPair -i).
	Curve
	// KeyType is a key type id (31 = AES).
	KeyType
	// KeyClass is a key class id (2 public, 3 private, 4 secret).
	KeyClass
	// RSABits is the modulus size of an RSA key to generate, the one
	// number whose cost the API bounds.
	RSABits
	// Server is a server (HSM) number of cloudhsm_mgmt_util.
	Server
	// Literal is a fixed word (getKeyInfo's optional -k).
	Literal
)

// TakesValue reports whether a flag of this kind is followed by a value.
func (k Kind) TakesValue() bool { return k != Switch }

// Choice is one value a parameter takes, with what it means ("31",
// "AES"), as Tab completion lists it.
type Choice struct {
	Value string `json:"word"`
	Note  string `json:"note,omitempty"`
}

// Masked stands in for a secret: in history, in shares, and for an answer
// typed at a hidden prompt. Typed back in a secret's place, it makes the
// tool ask for the secret instead.
const Masked = "********"

// Slot is what the word being typed at the end of a line stands for: a
// command name or a flag (Kind Literal, the words in Choices), or the value
// of a parameter of a kind, with the values the parameter takes when it has
// a list of its own. The host shell fills in what only the session knows
// (handles, files, users) and keeps the choices that start with Word.
type Slot struct {
	Kind    Kind
	Choices []Choice
	// Word is what was typed of the word so far.
	Word string
	// None is set when nothing can be offered there.
	None bool
}

// Words makes literal choices of names.
func Words(names ...string) []Choice {
	out := make([]Choice, len(names))
	for i, n := range names {
		out[i] = Choice{Value: n}
	}
	return out
}
