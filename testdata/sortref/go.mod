module sortref

go 1.22
