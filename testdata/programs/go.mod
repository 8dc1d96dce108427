module example.com/gotrace-testdata

go 1.22
