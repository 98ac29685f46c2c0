# The text the site shows as its version. Deploy tests and the demo change
# this line to prove that the new code is what serves after a reload.
RELEASE_TEXT = "release 1"
