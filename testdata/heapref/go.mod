module heapref

go 1.22
