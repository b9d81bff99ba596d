#!/bin/sh
# Plot the simulator's CSV files (from tests/sim/run.sh) as PNGs with
# gnuplot (Debian's gnuplot-nox, installed when missing).
# usage: plot.sh DIR   (DIR holds e1.csv, e2.csv, e3.csv, dark.csv)
set -e
D=${1:-docs/sim}
if ! command -v gnuplot >/dev/null 2>&1; then
	SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq gnuplot-nox >/dev/null
fi
common='set datafile separator ","; set terminal pngcairo size 800,480 font "sans,11"; set grid; set key top right'
[ -f "$D/e1.csv" ] && gnuplot -e "$common; set output '$D/e1.png';
	set title 'E1 convergence: 1000 nodes, request pathlength of probes (recent documents)';
	set xlabel 'time step'; set ylabel 'hops'; set yrange [0:66]; set y2label 'success %'; set y2range [0:105]; set y2tics;
	plot '$D/e1.csv' skip 1 using 1:3 with lines lw 2 title 'median',
	     '' skip 1 using 1:2 with lines dt 2 title 'first quartile',
	     '' skip 1 using 1:4 with lines dt 2 title 'third quartile',
	     '' skip 1 using 1:7 with lines lc rgb 'gray' title 'median, any stored document',
	     '' skip 1 using 1:5 axes x1y2 with lines lc rgb 'dark-green' title 'success % (right)'"
paths2=""
[ -f "$D/e2-paths2.csv" ] && paths2=", '$D/e2-paths2.csv' skip 1 using 1:3 with linespoints lw 2 lc rgb 'dark-red' title 'median, two announcement paths'"
[ -f "$D/e2.csv" ] && gnuplot -e "$common; set output '$D/e2.png'; set logscale x; set key top left;
	set title 'E2 scalability: pathlength as the network grows by announcement';
	set xlabel 'nodes'; set ylabel 'hops'; set yrange [0:*];
	plot '$D/e2.csv' skip 1 using 1:3 with linespoints lw 2 title 'median',
	     '' skip 1 using 1:2 with lines dt 2 title 'first quartile',
	     '' skip 1 using 1:4 with lines dt 2 title 'third quartile',
	     '' skip 1 using 1:7 with linespoints lc rgb 'gray' title 'median, any stored document'$paths2"
[ -f "$D/e3.csv" ] && gnuplot -e "$common; set output '$D/e3.png'; set key top left;
	set title 'E3 fault tolerance: 1000 nodes, a random fraction failed';
	set xlabel 'failed fraction of nodes'; set ylabel 'hops'; set yrange [0:*]; set y2label 'success %'; set y2range [0:105]; set y2tics;
	plot '$D/e3.csv' skip 1 using 1:3 with linespoints lw 2 title 'median',
	     '' skip 1 using 1:2 with lines dt 2 title 'first quartile',
	     '' skip 1 using 1:4 with lines dt 2 title 'third quartile',
	     '' skip 1 using 1:5 axes x1y2 with linespoints lc rgb 'dark-green' title 'success % (right)',
	     '' skip 1 using 1:9 axes x1y2 with linespoints lc rgb 'gray' title 'success %, any stored (right)'"
[ -f "$D/dark.csv" ] && gnuplot -e "$common; set output '$D/dark.png'; set style data histograms; set style fill solid 0.6;
	set title 'Darknet, 10000 nodes, degree 10: location swapping and friends of friends';
	set ylabel 'hops / percent'; set yrange [0:125]; set key top left;
	set xtics ('neither' 0, 'friends of friends' 1, 'swapping' 2, 'both' 3);
	plot '$D/dark.csv' skip 1 using 5 title 'median hops', '' skip 1 using 7 title 'success %'"
[ -f "$D/dark-live.csv" ] && gnuplot -e "$common; set output '$D/dark-live.png'; set key bottom right;
	set title 'Darknet, 10000 nodes, holding data, starts to swap (friends of friends throughout)';
	set xlabel 'swap attempts per node so far'; set ylabel 'success %'; set yrange [0:105]; set y2label 'median hops'; set y2range [0:66]; set y2tics;
	plot '$D/dark-live.csv' skip 1 using 2:7 with linespoints lw 2 title 'success %, recent documents',
	     '' skip 1 using 2:11 with linespoints lc rgb 'gray' title 'success %, any stored document',
	     '' skip 1 using 2:5 axes x1y2 with lines dt 2 title 'median hops, recent (right)'"
p16=""
[ -f "$D/opennet-peers16.csv" ] && p16=", '$D/opennet-peers16.csv' skip 1 using 1:3 with linespoints lc rgb 'dark-red' title 'opennet, 16 peers: probe median'"
[ -f "$D/opennet.csv" ] && gnuplot -e "$common; set output '$D/opennet.png'; set logscale x; set key top left;
	set title 'Opennet grown from one seed, against the paper model (E2)';
	set xlabel 'nodes'; set ylabel 'hops'; set yrange [0:*];
	plot '$D/opennet.csv' skip 1 using 1:3 with linespoints lw 2 title 'opennet, 20 peers: probe median',
	     '' skip 1 using 1:2 with lines dt 2 title 'first quartile',
	     '' skip 1 using 1:4 with lines dt 2 title 'third quartile',
	     '' skip 1 using 1:12 with linespoints lc rgb 'dark-green' title 'opennet, 20 peers: wisp get hops at HTL 18, median'$p16,
	     '$D/e2.csv' skip 1 using 1:3 with linespoints lc rgb 'gray' title 'paper model (E2): probe median'"
ls "$D"/*.png
