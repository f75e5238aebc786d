int f_16908(){return 0;}
