package hsm

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
)

// Role is an HSM user type.
type Role string

// User types as the tools print them. PCO is the primary crypto officer, the
// CO that activation made out of the precrypto officer.
const (
	RolePRECO Role = "PRECO"
	RolePCO   Role = "PCO"
	RoleCO    Role = "CO"
	RoleCU    Role = "CU"
	RoleAU    Role = "AU"
)

// IsOfficer reports whether the role manages users (CO and PCO).
func (r Role) IsOfficer() bool { return r == RoleCO || r == RolePCO }

// ParseRole reads a user type as typed on a command line. Crypto officers
// log in as "CO" whether they are the primary one or not.
func ParseRole(s string) (Role, bool) {
	switch strings.ToUpper(s) {
	case "PRECO":
		return RolePRECO, true
	case "CO", "PCO":
		return RoleCO, true
	case "CU":
		return RoleCU, true
	case "AU":
		return RoleAU, true
	}
	return "", false
}

// Limits from limits.md.
const (
	MaxUsers       = 1024
	MaxUserNameLen = 31
	MinPasswordLen = 7
	MaxPasswordLen = 32
	MaxKeys        = 3300
	// LockoutAttempts is how many failed logins lock an account.
	LockoutAttempts = 5
)

// User is one HSM user as a node stores it.
type User struct {
	ID           int    `json:"id"`
	Type         Role   `json:"type"`
	Name         string `json:"name"`
	PasswordHash string `json:"password"`
	FailedLogins int    `json:"failedLogins,omitempty"`
	// QuorumPubKey is the PEM of the public key registered for signing
	// quorum tokens (registerQuorumPubKey); MofnPubKey in listUsers.
	QuorumPubKey string `json:"quorumPubKey,omitempty"`
	TwoFA        bool   `json:"twoFA,omitempty"`
	// MFAPubKey is the PEM of the public key registered for MFA (mfa.go):
	// TwoFA is set exactly when there is one.
	MFAPubKey string `json:"mfaPubKey,omitempty"`
}

// HashPassword derives the stored form of a password. The user name is the
// salt, so two users with one password store different hashes; the form is
// stable so that every node holds the same bytes for the same user.
func HashPassword(name, password string) string {
	h := sha256.Sum256([]byte("hsmsim-user\x00" + name + "\x00" + password))
	return hex.EncodeToString(h[:])
}

// CheckPassword compares in constant time, as a habit worth showing.
func (u *User) CheckPassword(password string) bool {
	want := HashPassword(u.Name, password)
	return subtle.ConstantTimeCompare([]byte(want), []byte(u.PasswordHash)) == 1
}

// Locked reports whether too many failed logins locked the account.
func (u *User) Locked() bool { return u.FailedLogins >= LockoutAttempts }

// Clone returns a copy, so nodes never share a *User.
func (u *User) Clone() *User { c := *u; return &c }

// ValidateUserName checks a new user's name against the cluster limits.
func ValidateUserName(name string) error {
	if name == "" {
		return fmt.Errorf("user name is empty")
	}
	if len(name) > MaxUserNameLen {
		return fmt.Errorf("user name is longer than %d characters", MaxUserNameLen)
	}
	for _, r := range name {
		// createUser.md: letters, numbers and the underscore.
		if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return fmt.Errorf("user name may hold only letters, digits and '_'")
		}
	}
	return nil
}

// ValidatePassword checks a password's length against the cluster limits.
func ValidatePassword(pw string) error {
	if len(pw) < MinPasswordLen || len(pw) > MaxPasswordLen {
		return fmt.Errorf("password must be %d to %d characters", MinPasswordLen, MaxPasswordLen)
	}
	return nil
}
