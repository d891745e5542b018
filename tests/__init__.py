"""handbp's test suite. A package, so that test modules in different folders may share names."""
