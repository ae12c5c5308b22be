"""Cœur pur Python du journal d'audit inviolable d'Égide.

Arbre de Merkle RFC 9162 (``merkle``), encodage canonique des événements
RFC 8785 (``canonical``) et têtes d'arbre signées au format C2SP
tlog-checkpoint / signed-note (``checkpoint``). Aucune dépendance à Django :
l'intégration (modèles, transactions) vient par-dessus.
"""
