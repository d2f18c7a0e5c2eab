# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's plots, from the .dat files report.py writes; run in
# build/bench (bench.sh does):  gnuplot tools/bench/plot.gp
#   bench-pool-size.svg  ns/op against pool size: pgclass, gen_pool and
#                        kmalloc in the kernel (TCG guest), pgclass native
#   bench-peers.svg      ns/op of pgclass and its user-space peers

set terminal svg size 1100,450 dynamic enhanced font "sans,11" background "white"
set encoding utf8
guest = system("test -s kernel.dat && echo 1 || echo 0") + 0

set output "bench-pool-size.svg"
set multiplot layout 1,2 title "ns per operation against pool size (churn: the mixed-size trace)"
set logscale x 2
set xlabel "pool size (MiB)"
set key bottom right opaque box
set grid
if (guest) {
	set title "in the kernel: QEMU TCG guest, stock 6.12 (compare ratios only)"
	set logscale y 10
	set ylabel "ns/op (emulated), log scale"
	set xrange [3:90]
	set xtics (4, 16, 64)
	set yrange [50:500000]
	set key top left opaque box
	plot "kernel.dat" using 1:5 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "pgclass, 50% full", \
	     "kernel.dat" using 1:8 with linespoints lw 2 pt 5 lc rgb "#1f77b4" dt 2 title "pgclass, 90% full", \
	     "kernel.dat" using 1:7 with linespoints lw 2 pt 7 lc rgb "#d62728" title "gen\\_pool, 50% full", \
	     "kernel.dat" using 1:10 with linespoints lw 2 pt 5 lc rgb "#d62728" dt 2 title "gen\\_pool, 90% full", \
	     "kernel.dat" using 1:9 with linespoints lw 2 pt 9 lc rgb "#2ca02c" title "kmalloc (no pool; 90% cell)"
} else {
	set title "in the kernel: not run (--skip-guest)"
	unset logscale y
	set yrange [0:1]
	set xrange [3:90]
	plot 0.5 with lines lc rgb "white" notitle
}
set title "user space, native: pgclass"
unset logscale y
set yrange [0:*]
set key bottom right opaque box
set xrange [3:1300]
set xtics (4, 16, 64, 256, 1024)
set ylabel "ns/op"
plot "sweep.dat" using 1:2 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "churn, empty", \
     "sweep.dat" using 1:3 with linespoints lw 2 pt 5 lc rgb "#9467bd" title "churn, 50% full", \
     "sweep.dat" using 1:4 with linespoints lw 2 pt 9 lc rgb "#17becf" title "churn, 90% full", \
     "sweep.dat" using 1:5 with linespoints lw 2 pt 6 dt 2 lc rgb "#ff7f0e" title "pair-64, empty", \
     "sweep.dat" using 1:7 with linespoints lw 2 pt 8 dt 2 lc rgb "#8c564b" title "pair-64, 90% full"
unset multiplot

set output "bench-peers.svg"
set title "user space, native: ns per operation (median of the rounds), log scale"
unset logscale x
set logscale y 10
set yrange [1:*]
set xrange [*:*]
unset xlabel
set ylabel "ns/op"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -30 nomirror
set key top left
plot "peers.dat" using 2:xtic(1) title "pgclass" lc rgb "#1f77b4", \
     "" using 3 title "glibc" lc rgb "#7f7f7f", \
     "" using 4 title "jemalloc" lc rgb "#ff7f0e", \
     "" using 5 title "mimalloc" lc rgb "#2ca02c"
